// Screenshots of whole guests against QEMU 7.2: the same firmware (guests/bios.bin and
// guests/vgabios-stdvga.bin on a stdvga) and the same boot media in RingVM and in
// `qemu-system-i386`, the picture taken at the same guest state and compared pixel for
// pixel with QEMU's monitor `screendump`. The references are PNGs made by
// test/fixtures/screenshots/make-refs.py (needs QEMU and nasm; the test does not). In the
// system lane: each guest runs a few million instructions (5-15 s on a shared 2-core host).
//
// Allowed differences, none of them in the guest state:
// - QEMU blinks the text cursor from host time, so the script keeps both phases (files
//   *-cursor-a/b.png) and RingVM renders with its cursor forced on and forced off: each frame
//   must equal one phase, and the two phases differ only in the cursor cell.
// - RingVM renders with QEMU's conventions where QEMU departs from the IBM VGA (attribute
//   bit 7 as bright background, 9th dot of B0h-DFh); these screens use neither.
import { readFileSync } from "node:fs";
import { MemoryDisk } from "@ringvm/devices/disk";
import { VgaRenderer } from "@ringvm/devices/vga";
import { decode } from "fast-png";
import { describe, expect, it } from "vitest";
import { createScreenPc, type ScreenPc } from "../../src/index";

const GUESTS = new URL("../../../../guests/", import.meta.url);
const FIXTURES = new URL("../fixtures/screenshots/", import.meta.url);

/** Boots firmware with the given drives and stops at `stopNs` of guest time. */
async function bootTo(
  drives: { hda?: MemoryDisk; fda?: MemoryDisk },
  stopNs: number,
): Promise<ScreenPc> {
  const screen = createScreenPc({
    bios: new Uint8Array(readFileSync(new URL("bios.bin", GUESTS))),
    vgaBios: new Uint8Array(readFileSync(new URL("vgabios-stdvga.bin", GUESTS))),
    deterministic: true,
    ...drives,
  });
  screen.pc.scheduler.schedule(stopNs, () => screen.pc.stop());
  const end = await screen.pc.start();
  expect(end.reason).toBe("stopped");
  return screen;
}

interface Image {
  readonly width: number;
  readonly height: number;
  /** RGB, 3 bytes a pixel. */
  readonly rgb: Uint8Array;
}

function readReference(name: string): Image {
  const png = decode(readFileSync(new URL(name, FIXTURES)));
  expect([png.channels, png.depth]).toEqual([3, 8]);
  return { width: png.width, height: png.height, rgb: png.data as Uint8Array };
}

/** RingVM's frame as RGB. */
function render(screen: ScreenPc, cursor: "on" | "off"): Image {
  const renderer = new VgaRenderer(screen.vga, {
    cursor,
    attributeBit7: "bright",
    ninthDot: "qemu",
  });
  const { width, height } = renderer.size();
  const rgba = new Uint8Array(width * height * 4);
  expect(renderer.render(rgba, 0).isDrawn).toBe(true);
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    rgb[p * 3] = rgba[p * 4]!;
    rgb[p * 3 + 1] = rgba[p * 4 + 1]!;
    rgb[p * 3 + 2] = rgba[p * 4 + 2]!;
  }
  return { width, height, rgb };
}

/** Number of differing pixels and the first one, for a readable failure. */
function compare(ours: Image, qemu: Image): { size: string; mismatches: number; first: string } {
  const size = `${ours.width}x${ours.height}`;
  expect(size).toBe(`${qemu.width}x${qemu.height}`);
  let mismatches = 0;
  let first = "";
  for (let p = 0; p < qemu.width * qemu.height; p++) {
    const a = ours.rgb.subarray(p * 3, p * 3 + 3);
    const b = qemu.rgb.subarray(p * 3, p * 3 + 3);
    if (a[0] !== b[0] || a[1] !== b[1] || a[2] !== b[2]) {
      if (mismatches === 0) {
        first = `(${p % qemu.width},${Math.floor(p / qemu.width)}) ours ${a.join(",")} qemu ${b.join(",")}`;
      }
      mismatches++;
    }
  }
  return { size, mismatches, first };
}

/** RingVM's cursor-on and cursor-off frames against QEMU's two cursor phases. */
function compareCursorPhases(screen: ScreenPc, prefix: string): void {
  const a = readReference(`${prefix}-cursor-a.png`);
  const b = readReference(`${prefix}-cursor-b.png`);
  const on = render(screen, "on");
  const off = render(screen, "off");
  const straight = [compare(on, a), compare(off, b)];
  const crossed = [compare(on, b), compare(off, a)];
  const isStraight = straight[0]!.mismatches + straight[1]!.mismatches === 0;
  const best = isStraight ? straight : crossed;
  const size = `${a.width}x${a.height}`;
  expect(best).toEqual([
    { size, mismatches: 0, first: "" },
    { size, mismatches: 0, first: "" },
  ]);
}

/** Cells (row,column of 9-dot cells `cellHeight` lines high) where two images differ. */
function differingCells(x: Image, y: Image, cellHeight: number): string[] {
  const cells = new Set<string>();
  for (let p = 0; p < x.width * x.height; p++) {
    const i = p * 3;
    if (x.rgb[i] !== y.rgb[i] || x.rgb[i + 1] !== y.rgb[i + 1] || x.rgb[i + 2] !== y.rgb[i + 2]) {
      cells.add(`${Math.floor(p / x.width / cellHeight)},${Math.floor((p % x.width) / 9)}`);
    }
  }
  return [...cells];
}

describe("RingVM vs QEMU screendump", () => {
  it("text mode: SeaBIOS finds nothing to boot on a blank disk (720x400, both cursor phases)", async () => {
    // The screen is final ~1 s after power-on (both boards) and stays until the retry at 60 s.
    const screen = await bootTo({ hda: new MemoryDisk(1 << 20) }, 5e9);
    expect(screen.screenText()?.[7]?.trimEnd()).toBe(
      "No bootable device.  Retrying in 60 seconds.",
    );
    compareCursorPhases(screen, "qemu-seabios-text");
    // QEMU's two phases differ exactly in the cursor cell: row 8, column 0.
    const a = readReference("qemu-seabios-text-cursor-a.png");
    const b = readReference("qemu-seabios-text-cursor-b.png");
    expect(differingCells(a, b, 16)).toEqual(["8,0"]);
  }, 120_000);

  it("text mode 80x50: the VGA BIOS's 8x8 font in plane 2, 256 characters x attributes, a block cursor", async () => {
    const floppy = new Uint8Array(1_474_560);
    floppy.set(readFileSync(new URL("text80x50.bin", FIXTURES)));
    const screen = await bootTo({ fda: new MemoryDisk(floppy) }, 3e9);
    expect(screen.screenText()?.length).toBe(50);
    compareCursorPhases(screen, "qemu-text80x50");
    // The cursor is after the printed line: row 25, column 60.
    const a = readReference("qemu-text80x50-cursor-a.png");
    const b = readReference("qemu-text80x50-cursor-b.png");
    expect(differingCells(a, b, 8)).toEqual(["25,60"]);
  }, 120_000);

  it("mode 13h: a boot sector sets the mode, the DAC and a pattern through the VGA BIOS (640x400)", async () => {
    const floppy = new Uint8Array(1_474_560);
    floppy.set(readFileSync(new URL("mode13h.bin", FIXTURES)));
    const screen = await bootTo({ fda: new MemoryDisk(floppy) }, 3e9);
    expect(screen.pc.cpu.eip & 0xffff).toBeGreaterThan(0x7c00); // halted in the boot sector
    expect(compare(render(screen, "off"), readReference("qemu-mode13h.png"))).toEqual({
      size: "640x400",
      mismatches: 0,
      first: "",
    });
  }, 120_000);
});
