#!/usr/bin/env python3
"""Generates the native-oracle vectors for the integer interpreter (see README.md).

Assembles each case with nasm (bits 32), runs it on the host CPU through runner.c built with
gcc -m32, and writes vectors.json.gz: initial and final registers, EFLAGS and a 64-byte data
window at DATA (0x20000000). Cases that fault natively (e.g. #DE) are dropped.
Usage: python3 gen.py [--check]  (--check: regenerate and compare with the committed file).
"""
import gzip, json, os, random, struct, subprocess, sys, tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = 0x20000000
rng = random.Random(20261130)

EDGE32 = [0, 1, 2, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF,
          0x80000000, 0x80000001, 0xFFFFFFFF, 0xFFFFFFFE, 0x12345678, 0xDEADBEEF, 0x0F0F0F0F]
EDGE8 = [0, 1, 0x7F, 0x80, 0xFF, 0x0F, 0x10, 0x99, 0x9A, 0x09, 0x0A]
COUNTS = [0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 63, 255]
ARITH = 0x8D5  # CF PF AF ZF SF OF


def val():
    r = rng.random()
    if r < 0.45:
        return rng.choice(EDGE32)
    if r < 0.6:
        b = rng.choice(EDGE8)
        return (rng.getrandbits(24) << 8) | b
    return rng.getrandbits(32)


def flags(df=False):
    f = 0x202
    for bit in (0x1, 0x4, 0x10, 0x40, 0x80, 0x800):
        if rng.random() < 0.5:
            f |= bit
    return f | (0x400 if df else 0)


R8 = ["al", "cl", "dl", "bl", "ah", "ch", "dh", "bh"]
R16 = ["ax", "cx", "dx", "bx", "bp", "si", "di"]
R32 = ["eax", "ecx", "edx", "ebx", "ebp", "esi", "edi"]
RS = {8: R8, 16: R16, 32: R32}
SZ = {8: "byte", 16: "word", 32: "dword"}
CC = ["o", "no", "b", "ae", "e", "ne", "be", "a", "s", "ns", "p", "np", "l", "ge", "le", "g"]

cases = []  # (asm, regs[8], eflags, mem[64])


def add(asm, mem_base=False, regs=None, fl=None, mem=None, df=False):
    r = [val() for _ in range(8)] if regs is None else regs
    r[4] = 0
    if mem_base:
        r[3] = DATA  # ebx is the memory base
    m = bytes(rng.getrandbits(8) for _ in range(64)) if mem is None else mem
    cases.append((asm, r, flags(df) if fl is None else fl, m))


def regs_no_ebx(size):
    return [x for x in RS[size] if x not in ("bl", "bh", "bx", "ebx")]


def imm(size):
    v = val()
    return v & ((1 << size) - 1)


# ALU two-operand forms
for op in ["add", "or", "adc", "sbb", "and", "sub", "xor", "cmp", "test"]:
    for size in (8, 16, 32):
        for _ in range(10):
            a, b = rng.choice(RS[size]), rng.choice(RS[size])
            add(f"{op} {a}, {b}")
            add(f"{op} {a}, {imm(size)}")
        for _ in range(4):
            r = rng.choice(regs_no_ebx(size))
            add(f"{op} {SZ[size]} [ebx+8], {r}", True)
            if op != "test":
                add(f"{op} {r}, {SZ[size]} [ebx+12]", True)
            add(f"{op} {SZ[size]} [ebx+16], {imm(size)}", True)
        if size > 8 and op != "test":
            for _ in range(4):
                add(f"{op} {rng.choice(RS[size])}, byte {rng.choice([0, 1, 0x7f, -1, -128, -2])}")

# unary, multiply, divide
for op in ["inc", "dec", "neg", "not", "mul", "imul", "div", "idiv"]:
    for size in (8, 16, 32):
        n = 40 if op in ("div", "idiv") else 14
        for _ in range(n):
            add(f"{op} {rng.choice(RS[size])}")
        for _ in range(4):
            add(f"{op} {SZ[size]} [ebx+20]", True)
# 64/32 divides that fit: EDX below the divisor (unsigned) or a small signed EDX:EAX.
for op in ("div", "idiv"):
    for _ in range(30):
        regs = [val() for _ in range(8)]
        regs[3] = rng.choice([0xFFFFFFFF, 0x80000000, 0x7FFFFFFF, 0xFFFF0001, rng.getrandbits(32) | 0x40000000])
        if op == "div":
            regs[2] = rng.randrange(0, regs[3])
        else:
            regs[3] = rng.choice([regs[3], (-regs[3]) & 0xFFFFFFFF, 0x80000000, 3, 0xFFFFFFFD])
            regs[2] = rng.choice([0, 0xFFFFFFFF, rng.randrange(0, 0x4000), (-rng.randrange(1, 0x4000)) & 0xFFFFFFFF])
        add(f"{op} ebx", False, regs)
for size in (16, 32):
    for _ in range(12):
        a, b = rng.choice(RS[size]), rng.choice(RS[size])
        add(f"imul {a}, {b}")
        add(f"imul {a}, {b}, {imm(size)}")
        add(f"imul {a}, {b}, byte {rng.choice([0, 1, -1, 127, -128, 3])}")

# shifts and rotates
for op in ["rol", "ror", "rcl", "rcr", "shl", "shr", "sar"]:
    for size in (8, 16, 32):
        for c in COUNTS:
            add(f"{op} {rng.choice(RS[size])}, {c}")
            add(f"mov cl, {c}\n{op} {rng.choice([x for x in RS[size] if x not in ('cl', 'cx', 'ecx', 'ch')])}, cl")
        for _ in range(3):
            add(f"{op} {rng.choice(RS[size])}, 1")
            add(f"{op} {SZ[size]} [ebx+24], {rng.choice(COUNTS)}", True)
# SAL /6 alias (nasm has no mnemonic for it): D1 /6 with eax, C0 /6 with al
for c in (1, 3, 8, 31):
    add(f"db 0xc1, 0xf0, {c}")
    add(f"db 0xc0, 0xf0, {c}")
for op in ["shld", "shrd"]:
    for size in (16, 32):
        for c in COUNTS:
            a, b = rng.choice(RS[size]), rng.choice(RS[size])
            add(f"{op} {a}, {b}, {c}")
            a, b = rng.choice([x for x in RS[size] if x not in ("cx", "ecx")]), rng.choice(RS[size])
            add(f"mov cl, {c}\n{op} {a}, {b}, cl")
        for _ in range(3):
            add(f"{op} {SZ[size]} [ebx+24], {rng.choice(regs_no_ebx(size))}, {rng.choice(COUNTS)}", True)

# bit tests and scans
for op in ["bt", "bts", "btr", "btc"]:
    for size in (16, 32):
        for _ in range(8):
            add(f"{op} {rng.choice(RS[size])}, {rng.choice(RS[size])}")
            add(f"{op} {rng.choice(RS[size])}, {rng.randrange(256)}")
            add(f"{op} {SZ[size]} [ebx+32], {rng.randrange(256)}", True)
        for off in [-256, -200, -33, -17, -1, 0, 1, 15, 16, 31, 32, 100, 200, 255]:
            lim = 255 if size == 32 else 127
            if size == 16 and off < -128:
                continue
            o = min(off, lim)
            regs = [val() for _ in range(8)]
            regs[1] = o & 0xFFFFFFFF
            add(f"{op} {SZ[size]} [ebx+32], {'cx' if size == 16 else 'ecx'}", True, regs)
for op in ["bsf", "bsr"]:
    for size in (16, 32):
        for _ in range(10):
            add(f"{op} {rng.choice(RS[size])}, {rng.choice(RS[size])}")
        for z in range(4):
            regs = [val() for _ in range(8)]
            regs[2] = 0
            add(f"{op} {rng.choice(RS[size])}, {'dx' if size == 16 else 'edx'}", False, regs)
            add(f"{op} {rng.choice(RS[size])}, {SZ[size]} [ebx+40]", True, None, None, bytes(64) if z < 2 else None)

# moves and exchanges
for r in R32:
    add(f"bswap {r}")
for i in range(8):
    if i != 4:
        add(f"db 0x66, 0x0f, {0xc8 + i}")  # BSWAP r16 (undefined)
for size in (8, 16, 32):
    for _ in range(6):
        a, b = rng.choice(RS[size]), rng.choice(RS[size])
        add(f"xadd {a}, {b}")
        add(f"xchg {a}, {b}")
        add(f"cmpxchg {a}, {b}")
        r = rng.choice(regs_no_ebx(size))
        add(f"xadd {SZ[size]} [ebx+4], {r}", True)
        add(f"xchg {SZ[size]} [ebx+4], {r}", True)
        add(f"cmpxchg {SZ[size]} [ebx+4], {r}", True)
    # equal compare: accumulator equals the destination
    for _ in range(3):
        regs = [val() for _ in range(8)]
        regs[2] = regs[0]
        add(f"cmpxchg {RS[size][2]}, {RS[size][1]}", False, regs)
for eq in (True, False, True, False):
    regs = [val() for _ in range(8)]
    mem = bytearray(rng.getrandbits(8) for _ in range(64))
    if eq:
        struct.pack_into("<II", mem, 8, regs[0], regs[2])
    add("cmpxchg8b [ebx+8]", True, regs, None, bytes(mem))
for op in ["movzx", "movsx"]:
    for _ in range(6):
        add(f"{op} {rng.choice(R16)}, {rng.choice(R8)}")
        add(f"{op} {rng.choice(R32)}, {rng.choice(R8)}")
        add(f"{op} {rng.choice(R32)}, {rng.choice(R16)}")
        add(f"{op} {rng.choice(regs_no_ebx(32))}, word [ebx+6]", True)
        add(f"{op} {rng.choice(regs_no_ebx(16))}, byte [ebx+7]", True)
for c in CC:
    for _ in range(4):
        add(f"cmov{c} {rng.choice(R32)}, {rng.choice(R32)}")
        add(f"cmov{c} {rng.choice(R16)}, {rng.choice(R16)}")
        add(f"set{c} {rng.choice(R8)}")
    add(f"set{c} byte [ebx+9]", True)
    add(f"cmov{c} {rng.choice(regs_no_ebx(32))}, dword [ebx+10]", True)
    # conditional jumps: eax counts the fall-through
    add(f"j{c} short .t\ninc eax\n.t:")
    add(f"j{c} near .t\ninc eax\n.t:")
for _ in range(10):
    a, b = rng.choice(R32), rng.choice(R32)
    add(f"lea {rng.choice(R32)}, [{a}+{b}*{rng.choice([1, 2, 4, 8])}+{rng.randrange(-300, 300)}]")
    add(f"lea {rng.choice(R16)}, [{a}+{rng.randrange(0, 70000)}]")

# BCD, conversions, flag instructions
# (DAA/DAS/AAA/AAS/AAM/AAD, SALC, PUSHA/POPA, ENTER/LEAVE with 32-bit frames and 32-bit
# PUSH/POP do not exist in 64-bit mode: the SingleStepTests vectors cover them.)
for op in ["cbw", "cwde", "cwd", "cdq", "lahf", "sahf", "clc", "stc", "cmc", "nop", "xlatb"]:
    for _ in range(6):
        if op == "xlatb":
            regs = [val() for _ in range(8)]
            regs[0] = (regs[0] & ~0xFF) | rng.randrange(64)
            add(op, True, regs)
        else:
            add(op)

# loops
for op in ["loop", "loope", "loopne"]:
    for n in (1, 2, 5):
        regs = [val() for _ in range(8)]
        regs[1] = n
        add(f".l:\ninc edx\n{op} .l", False, regs)
for n in (0, 1):
    regs = [val() for _ in range(8)]
    regs[1] = n
    add("jecxz .t\ninc eax\n.t:", False, regs)

# stack snippets (net RSP unchanged; 16-bit pushes exist in 64-bit mode)
for _ in range(4):
    add(f"push {rng.choice(R16)}\npop {rng.choice(R16)}")
    add(f"push word {imm(16)}\npop cx")
add("call .f\njmp .e\n.f: inc eax\nret\n.e:")

# strings
for op in ["movs", "stos", "lods", "cmps", "scas"]:
    for sfx, w in (("b", 1), ("w", 2), ("d", 4)):
        for rep in ("", "rep ", "repe ", "repne "):
            if rep == "rep " and op in ("cmps", "scas"):
                continue
            if rep in ("repe ", "repne ") and op not in ("cmps", "scas"):
                continue
            for df in (False, True):
                for n in (0, 1, 3, 7):
                    if rep == "" and n != 1:
                        continue
                    regs = [val() for _ in range(8)]
                    regs[1] = n
                    regs[6] = DATA + (28 if df else 0)
                    regs[7] = DATA + (60 if df else 32)
                    mem = bytearray(rng.getrandbits(8) for _ in range(64))
                    if op in ("cmps", "scas") and rng.random() < 0.6:
                        mem[32:48] = mem[0:16]  # equal runs for REPE
                        struct.pack_into("<I", mem, 32, regs[0])
                    add(f"{rep}{op}{sfx}", True, regs, None, bytes(mem), df)


# The hint-NOP space (0F 0D, 0F 18-1F with a ModRM): prefetch hints, NOP r/m, ENDBR32/64, RDSSP
# and the reserved NOPs, bare and with 66/F3/F2. Memory forms use [ebx] (the data window),
# [ebx+disp8] and a bare disp32 that points nowhere: a NOP must not touch its operand.
for op in (0x0D, 0x18, 0x19, 0x1A, 0x1B, 0x1C, 0x1D, 0x1E, 0x1F):
    for pre in ([], [0x66], [0xF3], [0xF2]):
        for modrm in [0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B, 0x33, 0x3B, 0x43, 0x7B, 0x05,
                      0xC0, 0xC8, 0xD1, 0xDA, 0xE3, 0xEC, 0xF5, 0xFA, 0xFB, 0xFF]:
            tail = [0x10] if 0x40 <= modrm < 0x80 else [0xEF, 0xBE, 0xAD, 0x7E] if modrm == 0x05 else []
            code = ", ".join(f"0x{b:02x}" for b in pre + [0x0F, op, modrm] + tail)
            add(f"db {code} ; hint nop", True)


def assemble(asms, bits):
    src = [f"bits {bits}", "org 0"]
    for i, a in enumerate(asms):
        src.append(f"c{i}:")
        src.append(a.replace(".t", f".t{i}").replace(".l", f".l{i}").replace(".f", f".f{i}").replace(".e", f".e{i}"))
    src.append(f"c{len(asms)}:")
    src.append("offsets: dd " + ", ".join(f"c{i}" for i in range(len(asms) + 1)))
    with tempfile.TemporaryDirectory() as d:
        open(os.path.join(d, "a.asm"), "w").write("\n".join(src) + "\n")
        subprocess.run(["nasm", "-f", "bin", "-o", os.path.join(d, "a.bin"), os.path.join(d, "a.asm")], check=True)
        blob = open(os.path.join(d, "a.bin"), "rb").read()
    n = len(asms) + 1
    offs = struct.unpack_from(f"<{n}I", blob, len(blob) - 4 * n)
    return [blob[offs[i]:offs[i + 1]] for i in range(len(asms))]


def build_runner():
    out = os.path.join(tempfile.gettempdir(), "ringvm-native-runner")
    subprocess.run(["gcc", "-O1", "-no-pie", "-o", out, os.path.join(HERE, "runner.c")], check=True)
    return out


def main():
    codes = assemble([c[0] for c in cases], 32)
    native = assemble([c[0] for c in cases], 64)
    inp = bytearray(struct.pack("<I", len(cases)))
    for (asm, regs, fl, mem), code in zip(cases, native):
        inp += bytes([len(code)]) + code + struct.pack("<8I", *regs) + struct.pack("<I", fl) + mem
    res = subprocess.run([build_runner()], input=bytes(inp), capture_output=True, check=True).stdout
    vectors = []
    rec = 1 + 36 + 64
    dropped = 0
    for i, ((asm, regs, fl, mem), code) in enumerate(zip(cases, codes)):
        st = res[i * rec]
        if st != 0:
            dropped += 1
            continue
        out = list(struct.unpack_from("<8I", res, i * rec + 1))
        out[4] = 0  # the host stack pointer (varies run to run; ESP is not compared)
        ofl = struct.unpack_from("<I", res, i * rec + 33)[0]
        omem = res[i * rec + 37:i * rec + 101]
        v = {
            "asm": asm.replace("\n", "; "),
            "code": code.hex(),
            "regs": [f"{x:08x}" for x in regs],
            "flags": f"{fl:08x}",
            "out": [f"{x:08x}" for x in out],
            "outFlags": f"{ofl:08x}",
        }
        # The data window matters only to cases that address memory.
        if "[" in asm or "hint nop" in asm or any(s in asm for s in ("movs", "stos", "lods", "cmps", "scas", "xlat")):
            v["mem"] = mem.hex()
            v["outMem"] = omem.hex()
        vectors.append(v)
    blob = json.dumps({"data": f"{DATA:08x}", "vectors": vectors}, separators=(",", ":")).encode()
    path = os.path.join(HERE, "vectors.json.gz")
    if "--check" in sys.argv:
        old = json.loads(gzip.open(path).read())
        same = old["vectors"] == vectors
        print("native vectors match the committed file" if same else "native vectors DIFFER from the committed file")
        sys.exit(0 if same else 1)
    with gzip.GzipFile(path, "wb", 9, mtime=0) as f:
        f.write(blob)
    print(f"{len(vectors)} vectors ({dropped} faulting cases dropped)")


main()
