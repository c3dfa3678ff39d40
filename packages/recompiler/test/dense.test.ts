// The dense cold tier (src/wasm/dense.ts) runs cold blocks' compact forms and Jcc in WebAssembly
// over CpuState's own lazy flag record, and leaves the forms it lacks, and every fast-path test
// that fails, to the interpreter's handlers mid-block. The interpreter is the oracle: the same
// code run by it alone leaves the same registers, flags, EIP, retired count and memory.
import { SegReg, StopReason } from "@ringvm/cpu";
import { describe, expect, it } from "vitest";
import { formatRecompilerStats } from "../src/index";
import { hex } from "./support/lockstep";
import { DATA_AT, makeMachine, snapshot, STACK_TOP, type Machine } from "./support/machine";

/**
 * A 300-step loop of the forms the tier runs, with every condition of Jcc tested on ADD, SUB,
 * CMP, TEST, AND/OR/XOR and INC/DEC records (INC keeping SUB's CF): nasm source in the commit's
 * message of this test; ALU on registers, immediates and memory, loads, stores, PUSH/POP, LEA.
 */
const MIX = hex(
  "b92c010000bb0000040031c0baf0ffff7f31f6bf0000008001c883ea0389048b8b2c8b31d581e50fff000009ee" +
    "81fd80000000720146f7c50100000074014f50525d588d6c4b0839048b754d034304c7448b0478563412837b04" +
    "057f0201d729c27002eb01467801477a014a7c02eb0383c6077e0383ee01760231cf29d846720383c7114e7306" +
    "81cf00010000770681c200100000497580f4f4",
);
/**
 * Byte forms: MOVZX/MOVSX from memory, CMP/TEST of byte registers (AH and DH among them) and
 * immediates, CMP of a byte in memory, each followed by conditions on their flags, 256 steps.
 */
const BYTES = hex(
  "b900010000bb0000040031f631ff880c0b4975fab9000100000fb6040b0fbe140b01d63c80720147a803750383" +
    "c70538da7f0383ef01803c0b7f7e0231c6f6c11078057a0383c60338f4770681cf001000004975c4f4",
);
/**
 * A 200-step loop whose blocks hold what the tier leaves to the interpreter between forms it
 * runs: ADC, an unaligned load and store, a byte compare, a shift, and a store into the code's
 * own page (an immediate patched each step, so the block after it is invalidated and decoded
 * again).
 */
const EDGES = hex(
  "b9c8000000bb0100040031c031d205ffffff7f83d2008b3301ce897303807b0703d1e601f2890d2c000100bf00" +
    "00000001f84975d9f4",
);

/**
 * Shifts and rotates by a constant (counts 1, 7, 13, 31, and 0x20 and 0x21, masked to 0 and 1),
 * each followed by a Jcc on the flag it sets (OF, CF, SF, PF, ZF, the signed and unsigned
 * compares), a rotate after an ADD (its SF/ZF/PF stay the ADD's), an INC after a rotate (the
 * rotate's CF kept), and EFLAGS stored each of 300 steps (PUSHFD: AF too):
 *
 *         mov ecx, 300 / mov ebx, 0x40000 / mov eax, 0x12345678 / mov edx, 0x9abcdef1
 *         xor esi, esi / xor edi, edi
 * top:    add eax, edx / rol eax, 7 / jo .o1 / add edi, 3
 * .o1:    ror edx, 13 / jc .c1 / xor esi, eax
 * .c1:    inc esi / shl eax, 1 / jo .o2 / add edi, eax
 * .o2:    shr edx, 1 / jno .o3 / inc esi
 * .o3:    sar edi, 3 / js .s1 / add esi, 5
 * .s1:    jp .p1 / sub esi, 9
 * .p1:    ror esi, 31 / jno .n1 / add edi, 5
 * .n1:    ror edx, 1 / jo .n2 / rol esi, 1
 * .n2:    shl edx, 0x21 / ja .a1 / shr eax, 0x20
 * .a1:    sar esi, 31 / jl .l1 / rol edi, 1
 * .l1:    shr esi, 5 / jz .z1 / shl edi, 31
 * .z1:    xor edx, ecx / pushfd / pop ebp / mov [ebx + ecx*4], ebp / dec ecx / jnz top / hlt
 */
const SHIFTS = hex(
  "b92c010000bb00000400b878563412baf1debc9a31f631ff01d0c1c007700383c703c1ca0d720231c646d1e070" +
    "0201c7d1ea710146c1ff03780383c6057a0383ee09c1ce1f710383c705d1ca7002d1c6c1e2217703c1e820c1fe" +
    "1f7c02d1c7c1ee057403c1e71f31ca9c5d892c8b4975a7f4",
);
/**
 * CALL rel32 and RET closing blocks, nested, 300 steps:
 *
 *         mov ecx, 300 / xor eax, eax / mov ebx, 0x40000
 * .l:     call f / mov [ebx + ecx*4], eax / dec ecx / jnz .l / hlt
 * f:      add eax, ecx / shr eax, 1 / call g / ret
 * g:      rol eax, 3 / ret
 */
const CALLS = hex("b92c01000031c0bb00000400e80700000089048b4975f5f401c8d1e8e801000000c3c1c003c3");
/**
 * FS and GS with a base (set by the test), DS flat: loads, stores, ALU and CMP from memory,
 * MOVZX/MOVSX of words (one unaligned), a byte compare, LEA with FS (no access), 250 steps
 * over 2 KiB filled first by an LCG:
 *
 *         mov ecx, 0x200 / mov eax, 0x2545f491 / mov ebx, 0x40000
 * .fill:  mov [ebx + ecx*4], eax / imul eax, eax, 1103515245 / add eax, 12345 / dec ecx
 *         jnz .fill / mov ecx, 250 / xor esi, esi / xor edi, edi
 * .l:     mov edx, [fs:ecx*4 + 0x100] / add esi, edx / mov [fs:ecx*4 + 0x800], esi
 *         sub edi, [fs:0x20] / cmp [fs:ecx*4 + 0x104], esi / jb .b1 / add edi, 7
 * .b1:    movzx edx, word [fs:ecx*2 + 0x300] / add edi, edx
 *         movsx edx, word [gs:ecx*4 + 0x402] / add esi, edx
 *         movsx ebp, word [ebx + ecx*2 + 0x40] / xor edi, ebp
 *         movzx ebp, word [ebx + ecx*2 + 0x41] / add esi, ebp
 *         mov dword [gs:ecx*4 + 0xc00], 0x5a5a5a5a / cmp byte [fs:ecx + 0x200], 0x80 / jae .b2
 *         inc edi
 * .b2:    lea edx, [fs:ecx*8 + 4] / mov [gs:ecx*4 + 0xe00], edx / dec ecx / jnz .l / hlt
 */
const SEGMENTS = hex(
  "b900020000b891f44525bb0000040089048b69c06d4ec64105393000004975efb9fa00000031f631ff648b148d" +
    "0001000001d66489348d00080000642b3d200000006439348d04010000720383c707640fb794090003000001d7" +
    "650fbf148d0204000001d60fbf6c4b4031ef0fb76c4b4101ee65c7048d000c00005a5a5a5a6480b90002000080" +
    "730147648d14cd040000006589148d000e000049758cf4",
);

/**
 * A loop whose blocks start with, and hold in the middle, a form the tier lacks (BSWAP), the
 * rest forms it runs, 300 steps:
 *
 *         mov ecx, 300 / mov ebx, 0x40000 / xor eax, eax / mov edx, 0x01234567
 * .l:     bswap edx / add eax, edx / xor eax, ecx / mov [ebx + ecx*4], eax / rol edx, 5
 *         sub eax, [ebx + 8] / cmp eax, edx / jb .b / add eax, 3
 * .b:     bswap eax / shr eax, 2 / add edx, eax / mov [ebx + 4], edx / lea esi, [eax + edx*2]
 *         dec ecx / jnz .l / hlt
 */
const RESUME = hex(
  "b92c010000bb0000040031c0ba674523010fca01d031c889048bc1c2052b430839d0720383c0030fc8c1e80201c2" +
    "8953048d34504975daf4",
);

/**
 * Forms beyond the first compact ones, each step's flags stored (PUSHFD), 300 steps over 4 KiB
 * filled first by an LCG: ADC/SBB of registers, an immediate and memory after ADD, SUB, INC and
 * logic records; IMUL r32, r/m32 (CF/OF from overflow); shifts and rotates by CL (EDX's low
 * byte: counts 0-255); MOVZX/MOVSX from 8- and 16-bit registers (AH and DH among them); 8- and
 * 16-bit stores of registers and immediates (one 16-bit store odd); PUSH imm8, PUSH imm32, PUSH
 * r/m32 and LEAVE:
 *
 *         mov ecx, 0x400 / mov eax, 0x2545f491 / mov ebx, 0x40000
 * .fill:  mov [ebx + ecx*4], eax / imul eax, eax, 1103515245 / add eax, 12345 / dec ecx
 *         jnz .fill / mov ecx, 300 / mov eax, 0x9abcdef1 / mov edx, 0x12345678
 *         xor esi, esi / xor edi, edi
 * top:    add eax, edx / adc esi, eax / sbb edi, 0x1234 / adc esi, [ebx + 8] / sbb edx, esi
 *         inc edi / adc eax, edi / sbb eax, eax / xor eax, ecx / imul eax, edx / jo .o1
 *         add edi, 3
 * .o1:    imul esi, [ebx + ecx*4] / jc .c1 / sub edi, 5
 * .c1:    adc edi, ecx / pushfd / pop ebp / mov [ebx + ecx*4 + 0x800], ebp / push ecx
 *         mov ecx, edx / shl eax, cl / jc .s1 / inc esi
 * .s1:    shr edi, cl / ror esi, cl / jo .s2 / rol edx, cl
 * .s2:    sar eax, cl / adc edx, 0 / pop ecx / movzx ebp, al / add esi, ebp / movsx ebp, ah
 *         add edi, ebp / movzx ebp, dx / xor esi, ebp / movsx ebp, si / add edi, ebp
 *         movsx ebp, dh / sub esi, ebp / mov [ebx + ecx + 0x400], al
 *         mov [ebx + ecx + 0x500], dh / mov [ebx + ecx*2 + 0x600], si
 *         mov [ebx + ecx*2 + 0x601], di / mov byte [ebx + ecx + 0x300], 0x9c
 *         mov word [ebx + ecx*2 + 0x100], 0xbeef / push 0x7f / push -3 / push 0x12345
 *         push dword [ebx + ecx*4 + 0x800] / push ebp / mov ebp, esp / sub esp, 16
 *         mov [ebp - 4], eax / add esi, [ebp + 4] / add edi, [ebp + 8] / leave / pop ebp
 *         add esi, ebp / add esp, 12 / pushfd / pop ebp / mov [ebx + ecx*4 + 0xc00], ebp
 *         dec ecx / jnz top / hlt
 */
const WIDER = hex(
  "b900040000b891f44525bb0000040089048b69c06d4ec64105393000004975efb92c010000b8f1debc9aba785634" +
    "1231f631ff01d011c681df3412000013730819f24711f819c031c80fafc2700383c7030faf348b720383ef0511cf" +
    "9c5d89ac8b000800005189d1d3e0720146d3efd3ce7002d3c2d3f883d200590fb6e801ee0fbeec01ef0fb7ea31ee" +
    "0fbfee01ef0fbeee29ee88840b0004000088b40b000500006689b44b000600006689bc4b01060000c6840b000300" +
    "009c66c7844b00010000efbe6a7f6afd6845230100ffb48b000800005589e583ec108945fc037504037d08c95d01" +
    "ee83c40c9c5d89ac8b000c0000490f8539fffffff4",
);

/**
 * The extended compact forms, 250 steps over 4 KiB filled first by an LCG (as WIDER), flags
 * stored twice a step: CMOVcc of all 16 conditions from registers and memory after CMP and
 * SUB; SETcc into AL, AH, CL, CH, DL, DH after TEST; NOT, NEG, BSWAP and IMUL with an
 * immediate of registers; read-modify-write of memory by a register
 * (ADD, ADC, SUB, SBB, AND, OR, XOR) and by an immediate (a byte's: ADD, ADC, SUB, SBB, and CMP
 * with a displacement too wide for a word, 0x2000; beyond a byte: AND, OR, XOR, which stay the
 * interpreter's), INC, DEC, NOT and NEG of memory; MOV r8, m8 (AL, AH, DH);
 * NOP and 0F 1F /0:
 *
 *         (the fill of WIDER) / mov ecx, 250 / xor esi, esi / xor edi, edi
 * top:    mov eax, [ebx + ecx*4] / mov edx, [ebx + ecx*4 + 4] / cmp eax, edx
 *         cmovo esi, eax / cmovno edi, edx / cmovb esi, [ebx + ecx*4 + 8]
 *         cmovae edi, [ebx + 12] / cmove esi, edx / cmovne edi, eax / cmovbe esi, eax
 *         cmova edi, edx / sub eax, edx / cmovs esi, edx / cmovns edi, eax / cmovp esi, eax
 *         cmovnp edi, edx / cmovl esi, [ebx + ecx*4 + 16] / cmovge edi, eax / cmovle esi, edx
 *         cmovg edi, eax / test al, 3 / sete dl / setne dh / push ecx / setp cl / setb ch
 *         add esi, ecx / pop ecx / sets al / setg ah / not edx / neg esi / jc .n1 / inc edi
 * .n1:    bswap eax / imul edi, esi, -7 / jo .n2 / imul ebp, eax, 0x12345 / add esi, ebp
 * .n2:    add [ebx + ecx*4 + 0x1000], eax
 *         adc [ebx + ecx*4 + 0x1004], edx / sub [ebx + ecx*4 + 0x1008], esi
 *         sbb [ebx + ecx*4 + 0x100c], edi / and [ebx + ecx*4 + 0x1010], eax
 *         or [ebx + 0x1400], edx / xor [ebx + ecx*4 + 0x1018], esi
 *         add dword [ebx + ecx*4 + 0x101c], 5 / adc dword [ebx + ecx*4 + 0x1020], -7
 *         sub dword [ebx + 0x1404], 100 / sbb dword [ebx + 0x1408], 3
 *         and dword [ebx + ecx*4 + 0x1024], 0x1ff / or dword [ebx + ecx*4 + 0x1028], -512
 *         xor dword [ebx + ecx*4 + 0x102c], 0x155 / inc dword [ebx + 0x140c]
 *         dec dword [ebx + ecx*4 + 0x1030] / not dword [ebx + ecx*4 + 0x1034]
 *         neg dword [ebx + ecx*4 + 0x1038] / pushfd / pop ebp
 *         mov [ebx + ecx*4 + 0x1800], ebp / cmp dword [ebx + ecx*4 + 0x2000], 100 / jl .l1
 *         inc esi
 * .l1:    cmp dword [ebx + 0x1404], -3 / jg .l2 / dec edi
 * .l2:    mov al, [ebx + ecx + 0x300] / mov ah, [ebx + ecx*2 + 0x100] / mov dh, [ebx + 0x1409]
 *         nop / add esi, eax / add edi, edx / nop dword [eax + eax] / xor esi, ecx / pushfd
 *         pop ebp / mov [ebx + ecx*4 + 0x1c00], ebp / mov [ebx + ecx*4 + 0x2400], esi
 *         mov [ebx + ecx*4 + 0x2800], edi / dec ecx / jnz top / hlt
 */
const EXTENDED = hex(
  "b900040000b891f44525bb0000040089048b69c06d4ec64105393000004975efb9fa00000031f631ff8b048b8b54" +
    "8b0439d00f40f00f41fa0f42748b080f437b0c0f44f20f45f80f46f00f47fa29d00f48f20f49f80f4af00f4bfa0f" +
    "4c748b100f4df80f4ef20f4ff8a8030f94c20f95c6510f9ac10f92c501ce590f98c00f9fc4f7d2f7de7201470fc8" +
    "6bfef9700869e84523010001ee01848b0010000011948b0410000029b48b0810000019bc8b0c10000021848b1010" +
    "000009930014000031b48b1810000083848b1c1000000583948b20100000f983ab0414000064839b081400000381" +
    "a48b24100000ff010000818c8b2810000000feffff81b48b2c10000055010000ff830c140000ff8c8b30100000f7" +
    "948b34100000f79c8b381000009c5d89ac8b0018000083bc8b00200000647c014683bb04140000fd7f014f8a840b" +
    "000300008aa44b000100008ab3091400009001c601d70f1f44000031ce9c5d89ac8b001c000089b48b0024000089" +
    "bc8b00280000490f85acfefffff4",
);

function runToHalt(m: Machine): void {
  let stop: number = StopReason.Budget;
  for (let k = 0; k < 1000 && stop === StopReason.Budget; k++)
    stop = m.engine ? m.engine.run(100_000) : m.cpu.run(100_000);
  expect(stop).toBe(StopReason.Halt);
}

/** Cold blocks only (a hot threshold never reached), dense after `denseRuns` runs (0: never). */
function cold(code: Uint8Array, denseRuns: number): Machine {
  return makeMachine(code, true, 1e9, true, "wasm-shared", { denseRuns });
}

function memory(m: Machine, bytes: number): number[] {
  return Array.from(m.mem.bytes.subarray(DATA_AT, DATA_AT + bytes)).concat(
    Array.from(m.mem.bytes.subarray(STACK_TOP - 64, STACK_TOP)),
  );
}

type Stats = NonNullable<Machine["engine"]>["stats"];

/**
 * Runs `code` in the interpreter alone and in cold blocks with the tier from their first run,
 * each machine set up by `setup` first, and checks that both leave the same state and memory
 * (`bytes` of data from DATA_AT, and the stack's top); returns the second one's stats.
 */
function againstInterpreter(
  code: Uint8Array,
  setup: (m: Machine) => Machine = (m) => m,
  bytes = 0x1000,
): Stats {
  const oracle = setup(makeMachine(code, false));
  runToHalt(oracle);
  const m = setup(cold(code, 1));
  runToHalt(m);
  expect(snapshot(m.cpu)).toEqual(snapshot(oracle.cpu));
  expect(memory(m, bytes)).toEqual(memory(oracle, bytes));
  return m.engine!.stats;
}

/**
 * Runs `code` in cold blocks without the tier (their compact forms in `runCompact`) and checks
 * that it leaves the interpreter's state and memory.
 */
function withoutTier(code: Uint8Array, bytes: number): void {
  const oracle = makeMachine(code, false);
  runToHalt(oracle);
  const js = cold(code, 0);
  runToHalt(js);
  expect(snapshot(js.cpu)).toEqual(snapshot(oracle.cpu));
  expect(memory(js, bytes)).toEqual(memory(oracle, bytes));
}

describe("the dense cold tier", () => {
  // The share of cold instructions the tier runs at least: most of MIX's, some of EDGES'.
  for (const [name, code, share] of [
    ["its own forms and every condition", MIX, 0.5],
    ["byte forms", BYTES, 0.5],
    ["forms it leaves to the interpreter mid-block", EDGES, 0.1],
  ] as const) {
    it(`leaves the interpreter's state: ${name}`, () => {
      const st = againstInterpreter(code);
      expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * share);
      expect(st.denseInstructions).toBeLessThan(st.interpreted.cold);
      expect(st.blocksTranslated).toBe(0);
    });
  }

  // Shifts and rotates, and a block's closing CALL and RET, run by the tier (with few other
  // forms around them, most of the cold instructions).
  for (const [name, code, share] of [
    ["shifts and rotates by a constant", SHIFTS, 0.7],
    ["a block's closing CALL and RET", CALLS, 0.9],
  ] as const) {
    it(`leaves the interpreter's state: ${name}`, () => {
      const st = againstInterpreter(code);
      expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * share);
    });
  }

  it("runs ADC/SBB, IMUL, shifts by CL, MOVZX/MOVSX, narrow stores, PUSH, LEAVE", () => {
    const st = againstInterpreter(WIDER, (m) => m, 0x2000);
    // All but, per step, the two PUSHFDs, the odd 16-bit store (its fast-path test refuses it)
    // and the byte store whose displacement (0x300) does not fit a compact word, and the fill
    // loop's IMUL with an immediate: ~90 % (~45 % before the tier ran these forms).
    expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * 0.85);
    withoutTier(WIDER, 0x2000);
  });

  it("runs CMOVcc, SETcc, NOT/NEG/BSWAP/IMUL imm, read-modify-writes, MOV r8, m8, NOP", () => {
    const st = againstInterpreter(EXTENDED, (m) => m, 0x3000);
    // All but, per 90-instruction step, the two PUSHFDs and the AND, OR and XOR of memory with
    // an immediate beyond a byte (not compact), and the fill loop's IMUL with an immediate.
    expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * 0.9);
    withoutTier(EXTENDED, 0x3000);
  });

  it("goes on in the tier after an instruction the interpreter ran mid-block", () => {
    const st = againstInterpreter(RESUME);
    // All but the two BSWAPs of each 16- or 17-instruction step (and the first runs).
    expect(st.denseInstructions).toBeGreaterThan(st.interpreted.cold * 0.8);
  });

  // FS and GS with a base and a 4 GiB limit (Linux's per-CPU segment): base + offset when the
  // base is 4-aligned, else (an aligned offset would not give an aligned address) the
  // interpreter's handlers.
  it("runs FS and GS accesses as the interpreter does, with a 4-aligned base only", () => {
    const run = (fs: number): number => {
      const withBases = (m: Machine): Machine => {
        const ar = 0x80 | 0x10 | 0x02 | 0x01 | 0x4000 | 0x8000;
        m.cpu.loadSegmentCache(SegReg.FS, 0x10, fs, 0xffffffff, ar);
        m.cpu.loadSegmentCache(SegReg.GS, 0x10, DATA_AT + 0x200, 0xffffffff, ar);
        return m;
      };
      return againstInterpreter(SEGMENTS, withBases, 0x2000).denseInstructions;
    };
    const aligned = run(DATA_AT + 0x100);
    const unaligned = run(DATA_AT + 0x102);
    // Each of the loop's 250 steps has five FS accesses in compact forms (the byte compare's
    // displacement is too wide for one), the interpreter's with the odd base.
    expect(aligned - unaligned).toBeGreaterThanOrEqual(5 * 249);
  });

  it("is not used with denseRuns 0, and not before a block has run denseRuns times", () => {
    const off = cold(MIX, 0);
    runToHalt(off);
    expect(off.engine!.stats.denseInstructions).toBe(0);
    const late = cold(MIX, 100);
    runToHalt(late);
    const oracle = makeMachine(MIX, false);
    runToHalt(oracle);
    expect(snapshot(late.cpu)).toEqual(snapshot(oracle.cpu));
    const all = cold(MIX, 1);
    runToHalt(all);
    const st = late.engine!.stats;
    expect(st.denseInstructions).toBeGreaterThan(0);
    expect(st.denseInstructions).toBeLessThan(all.engine!.stats.denseInstructions);
  });

  it("is counted in the stats that --stats prints", () => {
    const on = cold(MIX, 1);
    runToHalt(on);
    const n = on.engine!.stats.denseInstructions;
    expect(formatRecompilerStats(on.engine!.stats)).toContain(
      `cold instructions run by the dense tier: ${n} (`,
    );
    const off = cold(MIX, 0);
    runToHalt(off);
    expect(formatRecompilerStats(off.engine!.stats)).not.toContain("dense tier");
  });
});
