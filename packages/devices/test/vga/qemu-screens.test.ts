// Screenshot comparison with QEMU 7.2's stdvga: each scene (test/vga/qemu/scenes.ts) was
// run by a bare real-mode ROM under `qemu-system-i386 -vga std` and its `screendump`
// stored (scripts/vga-qemu-refs.ts regenerates them). The same port and memory operations
// are replayed here against VgaDevice and the rendered frame must equal QEMU's pixel for
// pixel. The scenes keep the cursor off and attribute bit 7 clear: QEMU blinks the cursor
// from host time and draws bit 7 as a bright background where this VGA blinks.
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { VgaRenderer } from "@ringvm/devices/vga";
import { describe, expect, it } from "vitest";
import type { Scene } from "./qemu/scenes";
import { setup } from "./vga-bios";

const DIR = new URL("./qemu/", import.meta.url);
const scenes = JSON.parse(
  gunzipSync(readFileSync(new URL("scenes.json.gz", DIR))).toString("utf8"),
) as Scene[];

/** Width, height and RGB bytes of a binary PPM (P6, maxval 255). */
function readPpm(name: string): { width: number; height: number; rgb: Uint8Array } {
  const data = gunzipSync(readFileSync(new URL(`${name}.ppm.gz`, DIR)));
  const header = data.subarray(0, 32).toString("latin1").split(/\s+/);
  const [magic, width, height, maxval] = header;
  expect([magic, maxval]).toEqual(["P6", "255"]);
  const headerLength = `${magic}\n${width} ${height}\n${maxval}\n`.length;
  return { width: Number(width), height: Number(height), rgb: data.subarray(headerLength) };
}

describe("VGA vs QEMU screendump", () => {
  it.each(scenes.map((s) => [s.name, s] as const))("%s", (_name, scene) => {
    const { vga, board } = setup(4); // 4 MiB: the picture does not depend on the size
    const io = board.io;
    for (const op of scene.ops) {
      if (op[0] === "o") io.out(op[1], op[2], 1);
      else if (op[0] === "ow") io.out(op[1], op[2], 2);
      else if (op[0] === "i") io.in(op[1], 1);
      else if (op[0] === "r") io.readMmio(op[1], 1);
      // Memory goes straight to the window handler (the fake bus is slow per byte).
      else op[2].forEach((b, i) => vga.writeWindow(op[1] + i, 1, b));
    }
    const reference = readPpm(scene.name);
    // QEMU's conventions where it departs from the IBM VGA (the scenes keep the cursor off
    // and attribute bit 7 clear anyway): 9th dot of B0h-BFh too (the text scenes show
    // B0h-B2h, which differ otherwise).
    const renderer = new VgaRenderer(vga, {
      cursor: "off",
      attributeBit7: "bright",
      ninthDot: "qemu",
    });
    expect(renderer.size()).toEqual({ width: reference.width, height: reference.height });
    const frame = new Uint8ClampedArray(reference.width * reference.height * 4);
    renderer.render(frame, 0);
    let mismatches = 0;
    let first = "";
    for (let p = 0; p < reference.width * reference.height; p++) {
      const r = reference.rgb[p * 3]!;
      const g = reference.rgb[p * 3 + 1]!;
      const b = reference.rgb[p * 3 + 2]!;
      if (frame[p * 4] !== r || frame[p * 4 + 1] !== g || frame[p * 4 + 2] !== b) {
        if (mismatches === 0) {
          const x = p % reference.width;
          const y = Math.floor(p / reference.width);
          first = `(${x},${y}) qemu ${r},${g},${b} ours ${frame[p * 4]},${frame[p * 4 + 1]},${frame[p * 4 + 2]}`;
        }
        mismatches++;
      }
    }
    expect({ mismatches, first }).toEqual({ mismatches: 0, first: "" });
  });
});

describe("VGA vs QEMU: the documented difference", () => {
  it("with IBM's C0h-DFh rule only the 9th dots of B0h-B2h (row 3, columns 7-9) differ", () => {
    const scene = scenes.find((s) => s.name === "text-80x25")!;
    const { vga, board } = setup(4);
    for (const op of scene.ops) {
      if (op[0] === "o") board.io.out(op[1], op[2], 1);
      else if (op[0] === "ow") board.io.out(op[1], op[2], 2);
      else if (op[0] === "i") board.io.in(op[1], 1);
      else if (op[0] === "r") board.io.readMmio(op[1], 1);
      else op[2].forEach((b, i) => vga.writeWindow(op[1] + i, 1, b));
    }
    const reference = readPpm(scene.name);
    const frame = new Uint8ClampedArray(reference.width * reference.height * 4);
    new VgaRenderer(vga, { cursor: "off" }).render(frame, 0);
    const cells = new Set<string>();
    for (let p = 0; p < reference.width * reference.height; p++) {
      if (frame[p * 4] !== reference.rgb[p * 3] || frame[p * 4 + 2] !== reference.rgb[p * 3 + 2]) {
        const x = p % reference.width;
        const y = Math.floor(p / reference.width);
        cells.add(`${Math.floor(y / 16)},${Math.floor(x / 9)},${x % 9}`);
      }
    }
    expect([...cells].sort()).toEqual(["3,7,8", "3,8,8", "3,9,8"]);
  });
});
