// createScreenPc on the committed default guest: the display a browser sees before the first
// guest instruction. Expected values: QEMU's stdvga PCI IDs (1234:1111 at 00:02.0 on i440FX),
// QEMU's text-mode screendump size (80x25 cells of 9x16 = 720x400), and Linux's screen_info
// layout (arch/x86/include/uapi/asm/bootparam.h).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { createScreenPc } from "../src/index";

const guests = new URL("../../../guests/", import.meta.url);
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(name, guests)));

describe("createScreenPc", () => {
  const kernel = read("vmlinuz");
  const vgaBios = read("vgabios-stdvga.bin");

  it("puts a stdvga at PCI 00:02.0 and an 80x25 text screen before a direct Linux boot", () => {
    const s = createScreenPc({ kernel, vgaBios, cmdline: "console=tty0" });
    s.pc.ports.out32(0xcf8, 0x8000_1000); // bus 0, device 2, function 0, register 0
    expect(s.pc.ports.in32(0xcfc) >>> 0).toBe(0x1111_1234);
    s.pc.ports.out32(0xcf8, 0x8000_1008); // class code
    expect(s.pc.ports.in32(0xcfc) >>> 8).toBe(0x03_0000);

    let frame = new Uint8ClampedArray(0);
    let r = s.render(frame);
    expect(r.isDrawn).toBe(false);
    frame = new Uint8ClampedArray(r.width * r.height * 4);
    r = s.render(frame);
    expect([r.isDrawn, r.width, r.height]).toEqual([true, 720, 400]);
    const lines = s.screenText();
    expect(lines?.length).toBe(25);
    expect(lines!.every((line) => line.trim() === "")).toBe(true);

    const info = new Uint8Array(0x12);
    s.pc.physical.readBytes(s.pc.linuxBoot!.bootParams, info);
    expect(info[0x06]).toBe(3); // orig_video_mode
    expect(info[0x07]).toBe(80); // orig_video_cols
    expect(info[0x0e]).toBe(25); // orig_video_lines
    expect(info[0x0f]).toBe(1); // orig_video_isVGA
    expect(info[0x10]).toBe(16); // orig_video_points

    // The interpreter unless another engine is asked for.
    expect(s.engineShare()).toEqual({ engine: "interpreter", translated: 0, interpreted: 0 });
    expect(s.pc.hypervisor.engineLabel).toBe("interpreter");
  }, 30_000); // unpacking the kernel's .xz payload takes seconds on a loaded machine
});
