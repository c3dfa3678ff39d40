// The board's glue between chips: the A20 gate is the OR of the i8042 output port (bit 1)
// and port 92h (bit 1) (PIIX3 datasheet, "Port 92h": "A20 gate ... ORed with the keyboard
// controller's A20"), and a reset request (CF9h with bit 2, i8042 command FEh, a 0-to-1
// write of port 92h bit 0) ends the run at once: no later instruction of the old run executes,
// not even one that would triple-fault (PIIX3 "Reset control register", 8042 "pulse output").
// The guest is a hand-assembled 64 KiB BIOS ROM that prints 'A' on port E9h, requests the
// reset, prints 'B' and triple-faults.
import { describe, expect, it } from "vitest";
import { createWasmGuestMemory } from "@ringvm/memory";
import { WASM_CHAIN_SCRATCH_BYTES, WASM_DENSE_SCRATCH_BYTES } from "@ringvm/recompiler";
import { createPc, type Pc } from "../src/index";

/** Real-mode code at F000:0000, entered from the reset vector. */
function rom(resetRequest: number[]): Uint8Array {
  const image = new Uint8Array(0x1_0000);
  const code = [
    0xb0,
    0x41, // mov al, 'A'
    0xe6,
    0xe9, // out 0E9h, al
    ...resetRequest,
    0xb0,
    0x42, // mov al, 'B'
    0xe6,
    0xe9, // out 0E9h, al
    0x2e,
    0x0f,
    0x01,
    0x1e,
    0x00,
    0x80, // lidt cs:[8000h] (limit 0)
    0xcc, // int3: #GP (vector beyond the IDT limit) -> #DF -> triple fault
    0xf4, // hlt
  ];
  image.set(code, 0);
  image.set([0xea, 0x00, 0x00, 0x00, 0xf0], 0xfff0); // jmp far F000:0000
  return image;
}

async function runRom(
  resetRequest: number[],
): Promise<{ output: string; reason: string; resets: number }> {
  let output = "";
  let pc: Pc | undefined = undefined;
  pc = createPc({
    bios: rom(resetRequest),
    deterministic: true,
    debugcon: {
      write: (bytes) => {
        output += String.fromCharCode(...bytes);
        // The second power-on pass proves the reset happened; stop there.
        if (output.split("A").length > 2) pc?.stop();
      },
    },
  });
  const end = await pc.start();
  return { output, reason: end.reason, resets: pc.hypervisor.stats.resets };
}

describe("WebAssembly guest memory", () => {
  it("has scratch for the recompiler's dynamic-exit hash and dense tier", () => {
    // Without the room the back end runs without its hash (every RET whose caller's region is
    // not the exit's last target goes through the dispatcher), and cold code without the dense
    // tier or with a small pool.
    const memory = createWasmGuestMemory(16 << 20);
    expect(memory.scratchSize).toBeGreaterThanOrEqual(
      WASM_CHAIN_SCRATCH_BYTES + WASM_DENSE_SCRATCH_BYTES,
    );
  });
});

describe("reset requests", () => {
  it("without one, the ROM prints A and B and triple-faults (shutdown)", async () => {
    expect(await runRom([])).toEqual({ output: "AB", reason: "shutdown", resets: 0 });
  });

  it.each([
    ["CF9h (reset control, bits 1 and 2)", [0xba, 0xf9, 0x0c, 0xb0, 0x06, 0xee]], // mov dx,0CF9h; mov al,6; out dx,al
    ["i8042 command FEh", [0xb0, 0xfe, 0xe6, 0x64]], // mov al,0FEh; out 64h,al
    ["port 92h bit 0", [0xb0, 0x01, 0xe6, 0x92]], // mov al,1; out 92h,al
  ])("%s resets at once: no B, no triple fault, the ROM starts again", async (_name, request) => {
    const { output, reason, resets } = await runRom(request);
    expect(output).toBe("AA");
    expect(reason).toBe("stopped");
    expect(resets).toBeGreaterThanOrEqual(1);
  });
});

describe("A20 gate", () => {
  it("is the OR of the i8042 output port and port 92h bit 1", () => {
    const pc = createPc({ bios: rom([]) });
    const kbc = (outputPort: number): void => {
      pc.ports.out8(0x64, 0xd1); // write output port
      pc.ports.out8(0x60, outputPort);
    };
    // Power-on: the i8042 output port has A20 set, port 92h clear.
    expect(pc.mmu.getA20()).toBe(true);
    kbc(0x01); // i8042 A20 off (keep the reset line high)
    expect(pc.mmu.getA20()).toBe(false);
    pc.ports.out8(0x92, 0x02); // port 92h A20 on
    expect(pc.mmu.getA20()).toBe(true);
    kbc(0x03);
    expect(pc.mmu.getA20()).toBe(true);
    pc.ports.out8(0x92, 0x00); // port 92h off, i8042 still on
    expect(pc.mmu.getA20()).toBe(true);
    kbc(0x01);
    expect(pc.mmu.getA20()).toBe(false);
    pc.ports.out8(0x92, 0x02);
    kbc(0x03);
    kbc(0x01); // the i8042 dropping A20 does not close it while port 92h holds it
    expect(pc.mmu.getA20()).toBe(true);
  });
});
