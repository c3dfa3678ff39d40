// A guest image run from reset on RingVM and on QEMU (TCG, which recorded the expected debug-
// console output): 32-bit stack instructions, ENTER/LEAVE nesting, ESP-relative PUSH/POP,
// BOUND, XLAT, 16-bit addressing from 32-bit code, CMPXCHG8B and the BCD instructions with
// their defined flags. Source and rebuild script in test/integer/qemu/.
import { readFileSync } from "node:fs";
import type { PortIo } from "@ringvm/bus";
import { describe, expect, it } from "vitest";
import { Cpu, StopReason } from "../../src/index";
import { FlatMemory } from "../../src/testing/index";

/** Ports: the debug console (0xE9) and isa-debug-exit (0xF4). */
class GuestPorts implements PortIo {
  output = "";
  exited = false;
  in8(): number {
    return 0xff;
  }
  in16(): number {
    return 0xffff;
  }
  in32(): number {
    return -1;
  }
  out8(port: number, value: number): void {
    if (port === 0xe9) this.output += String.fromCharCode(value);
    if (port === 0xf4) this.exited = true;
  }
  out16(): void {}
  out32(): void {}
}

describe("integer guest image (QEMU-recorded output)", () => {
  it("integer32: RingVM prints exactly what QEMU printed", () => {
    const image = readFileSync(new URL("qemu/integer32.bin", import.meta.url));
    const expected = readFileSync(new URL("qemu/integer32.expected", import.meta.url), "latin1");
    const memory = new FlatMemory(1 << 24); // the reset vector's fetch wraps to the top 16 MiB
    memory.bytes.set(image, 0xf0000);
    memory.bytes.set(image, (1 << 24) - image.length);
    const io = new GuestPorts();
    const cpu = new Cpu({ memory, io });
    let stop: StopReason = StopReason.Budget;
    for (let n = 0; n < 100 && stop === StopReason.Budget && !io.exited; n++)
      stop = cpu.run(10_000);
    expect(io.exited).toBe(true);
    const got = io.output.split("\n");
    const want = expected.split("\n");
    for (let line = 0; line < want.length; line++)
      expect(`${line}: ${got[line]}`).toBe(`${line}: ${want[line]}`);
  });
});
