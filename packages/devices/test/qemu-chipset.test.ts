// QEMU as an oracle for the chipset: test/qemu/gen-chipset-vectors.py boots a script of
// port I/O under SeaBIOS in qemu-system-i386 (CMOS configuration bytes, PIC, PIT, RTC, two
// UARTs, port 92h, E9h) and
// records every read; here the same script runs on RingVM's devices and each read must
// agree under its mask. Masks hide only bits where QEMU departs from the datasheets or that
// depend on host timing (explained in the generator).
import { readFileSync } from "node:fs";
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { DebugConsole, PostCodePort, SystemControlPortA } from "@ringvm/devices/misc";
import { I8259Pic } from "@ringvm/devices/pic";
import { I8254Pit } from "@ringvm/devices/pit";
import { Mc146818Rtc } from "@ringvm/devices/rtc";
import { Uart16550 } from "@ringvm/devices/uart";
import { describe, expect, it } from "vitest";

interface Op {
  readonly op: "out" | "in" | "wait";
  readonly port: number;
  readonly value?: number;
  readonly mask?: number;
  readonly note?: string;
}

const here = new URL("./qemu/", import.meta.url);
const script = JSON.parse(readFileSync(new URL("chipset-script.json", here), "utf8")) as Op[];
const oracle = JSON.parse(readFileSync(new URL("chipset-qemu.json", here), "utf8")) as {
  readonly qemu: string;
  readonly results: readonly number[];
};

function board(): FakeDeviceContext {
  const context = new FakeDeviceContext();
  const pic = new I8259Pic();
  pic.attach(context);
  for (let irq = 0; irq < 16; irq++)
    context.irqLine(irq).onChange = (isHigh) => pic.setIrq(irq, isHigh);
  const rtc = new Mc146818Rtc();
  // The machine the generator runs: -m 32, one IDE disk 2/16/63, no floppy, boot "cad".
  rtc.configure({
    memoryBelow4G: 32 << 20,
    memoryAbove4G: 0,
    floppyTypes: [0, 0],
    hardDisks: [{ cylinders: 2, heads: 16, sectors: 63 }, false],
    hasFpu: true,
    hasPs2Mouse: true,
    bootOrder: ["disk", "floppy", "cdrom"],
    cpuCount: 1,
  });
  const devices = [
    new I8254Pit(),
    rtc,
    new Uart16550({ com: 1, timing: "immediate" }),
    new Uart16550({ com: 2, timing: "immediate" }),
    new SystemControlPortA(),
    new DebugConsole(),
    new PostCodePort(),
  ];
  for (const device of devices) device.attach(context);
  for (const device of [pic, ...devices]) device.reset("power-on");
  return context;
}

describe(`chipset against ${oracle.qemu}`, () => {
  it("every read of the port-I/O script agrees with QEMU under its mask", () => {
    const context = board();
    const io = context.io;
    const mismatches: string[] = [];
    let reads = 0;
    for (const op of script) {
      if (op.op === "out") {
        io.out(op.port, op.value ?? 0);
        continue;
      }
      let value: number;
      if (op.op === "in") value = io.in(op.port);
      else {
        value = 0;
        for (let i = 0; i < 100_000 && value === 0; i++) {
          if ((io.in(op.port) & (op.mask ?? 0xff)) !== 0) value = 1;
          else context.advance(1_000);
        }
      }
      const expected = oracle.results[reads++]!;
      const mask = op.op === "in" ? (op.mask ?? 0xff) : 0xff;
      if ((value & mask) !== (expected & mask))
        mismatches.push(
          `#${reads} ${op.note}: port ${op.port.toString(16)} got ${value.toString(16)}, QEMU ${expected.toString(16)} (mask ${mask.toString(16)})`,
        );
    }
    expect(reads).toBe(oracle.results.length);
    expect(mismatches).toEqual([]);
  });
});
