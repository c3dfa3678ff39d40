#!/usr/bin/env python3
"""Regenerates the chipset QEMU oracle vectors.

Writes chipset-script.json (the port-I/O script, with a note and a compare mask per read)
and chipset-qemu.json (what QEMU's PIC/PIT/RTC/UART/port 92h answered to each read).
Needs nasm and qemu-system-i386 (apt); the vitest test only reads the two JSON files.
Run: python3 packages/devices/test/qemu/gen-chipset-vectors.py
"""
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ops = []


def out(port, value):
    ops.append({"op": "out", "port": port, "value": value})


def inp(port, note, mask=0xFF):
    ops.append({"op": "in", "port": port, "mask": mask, "note": note})


def wait(port, mask, note):
    ops.append({"op": "wait", "port": port, "mask": mask, "note": note})


def com(base, reg, value):
    out(base + reg, value)


COM1, COM2 = 0x3F8, 0x2F8

# --- CMOS configuration bytes as QEMU's pc_cmos_init filled them (-m 32, one IDE disk
# with an explicit 2/16/63 geometry, no floppy drive, boot order "cad") --------------------
CMOS_CONFIG = list(range(0x10, 0x2E)) + [0x30, 0x31, 0x34, 0x35, 0x38, 0x3D, 0x5B, 0x5C, 0x5D, 0x5F]
for index in CMOS_CONFIG:
    out(0x70, index)
    inp(0x71, f"CMOS configuration byte {index:#04x}")

# --- PIT: quiet IRQ 0 (mode 0, long count), then read-back status bytes -----------------
out(0x43, 0x30)
out(0x40, 0xFF)
out(0x40, 0xFF)
out(0x43, 0xE2)
# NULL COUNT (bit 6) is masked: QEMU does not implement it (8254 datasheet: 1 until the
# CR is loaded into CE), and the RingVM replay's clock does not move.
inp(0x40, "8254 read-back status: counter 0, mode 0, LSB/MSB, OUT low", 0xBF)
out(0x61, 0x01)
# QEMU computes OUT of modes 2, 4 and 5 inverted (high only for the one-clock pulse; the
# datasheet has OUT high with a one-clock low pulse), so OUT is compared for modes 0 and 3.
for mode in (0, 2, 3, 4):
    out(0x43, 0xB0 | (mode << 1))
    out(0x42, 0x00)
    out(0x42, 0x10)
    out(0x43, 0xE8)
    inp(0x42, f"8254 read-back status: counter 2 mode {mode} after the count", 0xBF if mode in (0, 3) else 0x3F)
out(0x43, 0xB5)
out(0x43, 0xE8)
inp(0x42, "8254 read-back status: BCD mode 2 after the control word", 0x3F)
out(0x43, 0x94)
out(0x43, 0xE8)
inp(0x42, "8254 read-back status: LSB-only mode 2", 0x3F)
out(0x43, 0x76)
out(0x41, 0x12)
out(0x41, 0x00)
out(0x43, 0xE0 | 0x0E)
inp(0x40, "8254 read-back status of counter 0 (multi-counter command)", 0xBF)
inp(0x41, "8254 read-back status of counter 1 (multi-counter command)", 0xBF)
inp(0x42, "8254 read-back status of counter 2 (multi-counter command)", 0x3F)
# Modes 1 and 5 wait for a gate trigger. QEMU's OUT is the datasheet's for mode 1 before
# the trigger only (it models the one-shot pulse high, and mode 5 like mode 4): OUT is
# compared there alone.
out(0x61, 0x00)
for mode in (1, 5):
    out(0x43, 0xB0 | (mode << 1))
    out(0x42, 0x00)
    out(0x42, 0x10)
    out(0x43, 0xE8)
    inp(0x42, f"8254 read-back status: mode {mode} waiting for a trigger", 0xBF if mode == 1 else 0x3F)
out(0x61, 0x01)
for mode in (1, 5):
    out(0x43, 0xB0 | (mode << 1))
    out(0x42, 0x00)
    out(0x42, 0x10)
    out(0x61, 0x00)
    out(0x61, 0x01)
    out(0x43, 0xE8)
    inp(0x42, f"8254 read-back status: mode {mode} after a gate trigger", 0x3F)
# Status and count latched together: status first, then the count; a second read-back
# while both are latched changes nothing. The count reads as written right away.
out(0x43, 0xB0)
out(0x42, 0x34)
out(0x42, 0x12)
out(0x43, 0xC8)
out(0x43, 0xC8)
inp(0x42, "8254 read-back of status and count: status first", 0xBF)
inp(0x42, "8254 read-back: latched count LSB")
inp(0x42, "8254 read-back: latched count MSB")
# Port 61h: QEMU keeps only bits 0-1 (the PIIX keeps 0-3); bit 4 refresh and 5 OUT2 vary.
out(0x61, 0x03)
inp(0x61, "port 61h gate 2 and speaker data read back", 0x03)
out(0x61, 0x00)
inp(0x61, "port 61h cleared", 0x03)

# --- PIC with the two UARTs as interrupt sources -----------------------------------------
for base, words in ((0x20, (0x11, 0x20, 0x04, 0x01)), (0xA0, (0x11, 0x28, 0x02, 0x01))):
    out(base, words[0])
    for w in words[1:]:
        out(base + 1, w)
out(0x4D0, 0x00)
out(0x4D1, 0x00)
out(0x21, 0xE7)
out(0xA1, 0xFF)
inp(0x21, "8259A OCW1 reads back (master IMR)")
inp(0xA1, "8259A OCW1 reads back (slave IMR)")
for base in (COM1, COM2):
    com(base, 1, 0x00)
    com(base, 3, 0x03)
    com(base, 4, 0x08)
    com(base, 2, 0x00)
out(0x20, 0x0A)
inp(0x20, "8259A IRR after ICW1 (IRQ 0 masked from the compare)", 0xFE)
com(COM1, 1, 0x02)
inp(0x20, "8259A IRR: COM1 THRE interrupt on IRQ 4", 0xFE)
com(COM2, 1, 0x02)
inp(0x20, "8259A IRR: COM2 on IRQ 3 too", 0xFE)
out(0x20, 0x0C)
inp(0x20, "8259A poll: IRQ 3 first (fully nested)")
out(0x20, 0x0B)
inp(0x20, "8259A ISR after the poll")
out(0x20, 0x0C)
inp(0x20, "8259A poll with IS3 set and IRQ 4 requesting")
out(0x20, 0x20)
out(0x20, 0x0B)
inp(0x20, "8259A ISR after non-specific EOI")
out(0x20, 0x0A)
inp(0x20, "8259A IRR: the edge of IRQ 3 was consumed", 0xFE)
out(0x20, 0x0C)
inp(0x20, "8259A poll: IRQ 4")
out(0x20, 0x20)


def retrigger(*bases):
    for base in bases:
        com(base, 1, 0x00)
        com(base, 1, 0x02)


retrigger(COM1, COM2)
out(0x20, 0xC3)
out(0x20, 0x0C)
inp(0x20, "8259A set priority (IRQ 3 lowest): poll gives IRQ 4")
out(0x20, 0x0C)
inp(0x20, "8259A poll: IRQ 3 below IS4")
out(0x20, 0x64)
out(0x20, 0x0C)
inp(0x20, "8259A poll after specific EOI 4")
out(0x20, 0x63)
out(0x20, 0xC7)
retrigger(COM1, COM2)
out(0x20, 0x0C)
inp(0x20, "8259A poll: IRQ 3 with IR0 highest again")
out(0x20, 0xA0)
retrigger(COM2)
out(0x20, 0x0C)
inp(0x20, "8259A rotate on non-specific EOI: IRQ 4 beats IRQ 3 now")
out(0x20, 0x20)
out(0x20, 0xC7)
# AEOI
out(0x20, 0x11)
out(0x21, 0x20)
out(0x21, 0x04)
out(0x21, 0x03)
out(0x21, 0xE7)
retrigger(COM1, COM2)
out(0x20, 0x0C)
inp(0x20, "8259A AEOI: poll IRQ 3")
out(0x20, 0x0B)
inp(0x20, "8259A AEOI: ISR stays clear")
out(0x20, 0x0C)
inp(0x20, "8259A AEOI: poll IRQ 4 next")
# Special mask mode
out(0x20, 0x11)
out(0x21, 0x20)
out(0x21, 0x04)
out(0x21, 0x01)
out(0x21, 0xE7)
retrigger(COM1, COM2)
out(0x20, 0x0C)
inp(0x20, "8259A SMM: poll IRQ 3")
out(0x21, 0xEF)
out(0x20, 0x0C)
inp(0x20, "8259A SMM off: IRQ 4 blocked by IS3")
out(0x20, 0x68)
retrigger(COM1)
out(0x20, 0x0C)
inp(0x20, "8259A SMM on: masked IS3 no longer blocks IRQ 4")
out(0x20, 0x48)
out(0x20, 0x64)
out(0x20, 0x63)
out(0x20, 0x0B)
inp(0x20, "8259A ISR after specific EOIs")
out(0x21, 0xE7)
# ELCR
out(0x4D0, 0xFF)
out(0x4D1, 0xFF)
inp(0x4D0, "ELCR1: IRQ 0-2 forced edge")
inp(0x4D1, "ELCR2: IRQ 8 and 13 forced edge")
out(0x4D1, 0x00)
com(COM1, 1, 0x00)
out(0x4D0, 0x10)
com(COM1, 1, 0x02)
out(0x20, 0x0A)
inp(0x20, "level-triggered IRQ 4 (ELCR): IRR follows the line high", 0xFE)
inp(COM1 + 2, "COM1 IIR reports THRE (and clears it)")
inp(0x20, "level-triggered IRQ 4: IRR follows the line low", 0xFE)
out(0x4D0, 0x00)
com(COM1, 1, 0x00)
com(COM2, 1, 0x00)
out(0x20, 0x20)
out(0x20, 0x20)
# Cascade: RTC periodic interrupt on IRQ 8
out(0x70, 0x0C)
inp(0x71, "RTC register C cleared before the cascade test", 0x00)
out(0xA1, 0xFE)
out(0x21, 0xFB)
out(0x70, 0x0A)
out(0x71, 0x23)
out(0x70, 0x0B)
out(0x71, 0x42)
out(0xA0, 0x0A)
wait(0xA0, 0x01, "RTC periodic interrupt reaches slave IRR bit 0")
out(0x20, 0x0A)
inp(0x20, "master IRR shows the cascade on IR2", 0xFE)
out(0x20, 0x0C)
inp(0x20, "master poll: IR2")
out(0xA0, 0x0C)
inp(0xA0, "slave poll: IR0 (IRQ 8)")
out(0x70, 0x0B)
out(0x71, 0x02)
out(0x70, 0x0C)
inp(0x71, "RTC register C: IRQF|PF (UF/AF masked: depend on timing)", 0xC0)
out(0xA0, 0x20)
out(0x20, 0x20)
out(0xA1, 0xFF)
out(0x21, 0xFF)

# --- RTC -------------------------------------------------------------------------------
out(0x70, 0x0A)
out(0x71, 0x26)
out(0x70, 0x0B)
out(0x71, 0x82)
for reg, value in ((0, 0x10), (2, 0x30), (4, 0x23), (6, 0x05), (7, 0x31), (8, 0x12), (9, 0x99)):
    out(0x70, reg)
    out(0x71, value)
out(0x70, 0x32)
out(0x71, 0x19)
for reg in (0, 2, 4, 6, 7, 8, 9, 0x32):
    out(0x70, reg)
    inp(0x71, f"MC146818A SET=1: register {reg:#x} holds what was written")
out(0x70, 0x0D)
inp(0x71, "MC146818A register D: VRT")
out(0x70, 0x0A)
inp(0x71, "MC146818A register A (UIP masked)", 0x7F)
out(0x70, 0x0B)
out(0x71, 0x02)
for reg in (2, 4, 6, 7, 8, 9, 0x32):
    out(0x70, reg)
    inp(0x71, f"MC146818A running again from the written time: register {reg:#x}")
# 12-hour BCD, 12-hour binary, 24-hour binary
out(0x70, 0x0B)
out(0x71, 0x80)
for reg, value in ((0, 0x05), (2, 0x15), (4, 0x91)):
    out(0x70, reg)
    out(0x71, value)
out(0x70, 0x0B)
out(0x71, 0x00)
out(0x70, 4)
inp(0x71, "MC146818A 12-hour BCD: 11 PM is 91h")
# Binary mode is compared only with SET=1: QEMU decodes the century byte (32h) as binary
# in binary mode, which moves its clock to the year 3220 and wraps; the century byte is BCD
# by IBM convention (RingVM keeps it BCD).
out(0x70, 0x0B)
out(0x71, 0x86)
for reg, value in ((0, 5), (2, 45), (4, 13)):
    out(0x70, reg)
    out(0x71, value)
for reg in (0, 2, 4):
    out(0x70, reg)
    inp(0x71, f"MC146818A binary mode, SET=1: register {reg:#x} holds what was written")
out(0x70, 0x0B)
out(0x71, 0x82)
out(0x70, 0x0B)
out(0x71, 0x02)
for i in range(8):
    out(0x70, 0x40 + i)
    out(0x71, 0xA0 + i * 7)
for i in range(8):
    out(0x70, 0x40 + i)
    inp(0x71, f"CMOS RAM byte {0x40 + i:#x}")
out(0x70, 0xC8)
out(0x71, 0x5A)
out(0x70, 0x48)
inp(0x71, "port 70h bit 7 (NMI mask) is not part of the index")

# --- UART (COM1) -------------------------------------------------------------------------
com(COM1, 1, 0x00)
com(COM1, 3, 0x80)
com(COM1, 0, 0x01)
com(COM1, 1, 0x00)
inp(COM1 + 0, "16550A DLL")
inp(COM1 + 1, "16550A DLM")
com(COM1, 3, 0x03)
inp(COM1 + 3, "16550A LCR")
com(COM1, 7, 0x5A)
inp(COM1 + 7, "16550A scratch")
com(COM1, 2, 0x00)
com(COM1, 4, 0x1A)
# QEMU's loopback MSR has no delta bits (the datasheet's do work): compare the top nibble.
inp(COM1 + 6, "16550A loopback MCR=1Ah: MSR 90h (Linux autoconfig check)", 0xF0)
com(COM1, 4, 0x1F)
inp(COM1 + 6, "16550A loopback MCR=1Fh: MSR F0h", 0xF0)
com(COM1, 4, 0x10)
inp(COM1 + 6, "16550A loopback MCR=10h: MSR 0", 0xF0)
inp(COM1 + 0, "drain RBR", 0x00)
inp(COM1 + 5, "clear LSR", 0x00)
com(COM1, 0, 0x41)
inp(COM1 + 5, "16550A loopback: DR with THRE|TEMT")
inp(COM1 + 0, "16550A loopback: the byte comes back")
inp(COM1 + 5, "16550A LSR after reading RBR")
com(COM1, 0, 0x01)
com(COM1, 0, 0x02)
inp(COM1 + 5, "16550A non-FIFO overrun: OE|DR")
inp(COM1 + 5, "16550A LSR read cleared OE")
inp(COM1 + 0, "16550A non-FIFO overrun keeps the newer byte")
inp(COM1 + 2, "16550A IIR with IER=0")
# 50 baud (divisor 2304): the character timeout (4 characters, 0.8 s) depends on host
# speed in QEMU, so it must not fire during the script.
com(COM1, 3, 0x83)
com(COM1, 0, 0x00)
com(COM1, 1, 0x09)
com(COM1, 3, 0x03)
com(COM1, 2, 0x07)
inp(COM1 + 2, "16550A FIFOs enabled: IIR C1h")
for b in (0x31, 0x32, 0x33):
    com(COM1, 0, b)
inp(COM1 + 5, "16550A FIFO loopback: DR")
com(COM1, 1, 0x01)
inp(COM1 + 2, "16550A FIFO trigger 1: RDA")
for _ in range(3):
    inp(COM1 + 0, "16550A FIFO byte")
inp(COM1 + 2, "16550A FIFO empty: no interrupt")
com(COM1, 2, 0x47)
for b in (0x34, 0x35, 0x36, 0x37):
    com(COM1, 0, b)
inp(COM1 + 2, "16550A FIFO trigger 4 reached: RDA")
for _ in range(4):
    inp(COM1 + 0, "16550A FIFO byte (trigger 4)")
com(COM1, 1, 0x00)
for i in range(17):
    com(COM1, 0, 0x40 + i)
inp(COM1 + 5, "16550A FIFO overrun: OE|DR")
for _ in range(16):
    inp(COM1 + 0, "16550A FIFO keeps the first 16 bytes")
inp(COM1 + 5, "16550A FIFO drained")
com(COM1, 1, 0x02)
inp(COM1 + 2, "16550A THRE interrupt on enabling ETBEI")
inp(COM1 + 2, "16550A THRE cleared by reading IIR")
com(COM1, 2, 0x00)
com(COM1, 4, 0x1B)
inp(COM1 + 6, "clear MSR deltas", 0x00)
com(COM1, 1, 0x0F)
com(COM1, 0, 0x11)
com(COM1, 0, 0x22)
inp(COM1 + 2, "16550A priority: line status first")
inp(COM1 + 5, "16550A LSR: OE|DR", 0x03)
inp(COM1 + 2, "16550A priority: then received data")
inp(COM1 + 0, "16550A the newer byte")
inp(COM1 + 2, "16550A priority: then THRE")
inp(COM1 + 2, "16550A priority: nothing left")
com(COM1, 1, 0x00)
com(COM1, 4, 0x08)

# --- port 92h, E9h --------------------------------------------------------------------
out(0x92, 0x02)
inp(0x92, "port 92h: A20 bit reads back")
inp(0xE9, "debug console readback")
inp(0x80, "port 80h reads float high")
inp(0x70, "port 70h (RTC index) is write-only")


def main():
    script_path = os.path.join(HERE, "chipset-script.json")
    with open(script_path, "w") as f:
        f.write("[\n" + ",\n".join(json.dumps(op) for op in ops) + "\n]\n")
    data = bytearray()
    codes = {"out": 1, "in": 2, "wait": 3}
    for op in ops:
        value = op.get("value", op.get("mask", 0))
        data += bytes([codes[op["op"]], op["port"] & 0xFF, op["port"] >> 8, value])
    data += bytes(4)
    sectors = (len(data) + 511) // 512
    data += bytes(sectors * 512 - len(data))
    with tempfile.TemporaryDirectory() as tmp:
        boot = os.path.join(tmp, "boot.bin")
        subprocess.run(
            ["nasm", "-f", "bin", f"-DSECTORS={sectors}", "-o", boot, os.path.join(HERE, "boot.asm")],
            check=True,
        )
        image = os.path.join(tmp, "disk.img")
        with open(image, "wb") as f:
            f.write(open(boot, "rb").read() + bytes(data))
            f.write(bytes(2 * 16 * 63 * 512))
        if os.environ.get("KEEP_IMAGE"):
            # e.g. to boot the same script on RingVM: ringvm run --hda IMAGE --debugcon file:OUT
            with open(os.environ["KEEP_IMAGE"], "wb") as f:
                f.write(open(image, "rb").read())
        log = os.path.join(tmp, "debugcon.bin")
        subprocess.run(
            [
                "qemu-system-i386", "-machine", "pc", "-nodefaults", "-display", "none",
                "-m", "32", "-drive", f"file={image},format=raw,if=none,id=d0",
                "-device", "ide-hd,drive=d0,bus=ide.0,cyls=2,heads=16,secs=63",
                "-serial", "null", "-serial", "null", "-debugcon", f"file:{log}",
                "-device", "isa-debug-exit,iobase=0xf4,iosize=1", "-no-reboot",
            ],
            timeout=60,
        )
        raw = open(log, "rb").read()
        version = subprocess.run(
            ["qemu-system-i386", "--version"], capture_output=True, text=True
        ).stdout.splitlines()[0]
    start = raw.find(b"R{")
    if start < 0 or not raw.endswith(b"}"):
        sys.exit(f"no result in debugcon output: {raw[:200]!r}")
    results = list(raw[start + 2 : -1])
    expected = sum(1 for op in ops if op["op"] in ("in", "wait"))
    if len(results) != expected:
        sys.exit(f"got {len(results)} results, expected {expected}")
    with open(os.path.join(HERE, "chipset-qemu.json"), "w") as f:
        json.dump({"qemu": version, "results": results}, f)
        f.write("\n")
    print(f"{expected} reads recorded from {version}")


if __name__ == "__main__":
    main()
