// Regenerates the QEMU reference screenshots of the VGA tests (test/vga/qemu/):
// each scene of scenes.ts becomes a 64 KiB real-mode ROM (nasm) that performs the scene's
// port and memory operations and halts; QEMU runs it as its BIOS (`-bios`, `-vga std`,
// no VGA BIOS involved) and its monitor's `screendump` (PPM) is stored gzipped with the
// operations, so the test needs neither nasm nor QEMU.
//
// Usage (needs nasm, qemu-system-i386 and /usr/share/seabios/vgabios-stdvga.bin for the font):
//   cd packages/devices && npx tsx scripts/vga-qemu-refs.ts
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { FONT_CHARACTERS, buildScenes, type GuestOp, type Scene } from "../test/vga/qemu/scenes";

const OUT = new URL("../test/vga/qemu/", import.meta.url).pathname;
const VGABIOS = "/usr/share/seabios/vgabios-stdvga.bin";
/** Where the 8x16 font starts in vgabios-stdvga.bin: 'A' (41h) is at 77D0h. */
const FONT16_OFFSET = 0x77d0 - 0x41 * 16;

function loadFont(): Map<number, number[]> {
  const rom = readFileSync(VGABIOS);
  const font = new Map<number, number[]>();
  for (const code of new Set(FONT_CHARACTERS)) {
    font.set(code, [...rom.subarray(FONT16_OFFSET + code * 16, FONT16_OFFSET + code * 16 + 16)]);
  }
  return font;
}

const hex = (n: number) => `0x${n.toString(16)}`;

/** nasm source of a ROM that performs `ops` from the reset vector. */
function romSource(ops: readonly GuestOp[]): string {
  const code: string[] = [
    "bits 16",
    "org 0",
    "start:",
    "cli",
    "mov ax, 0xf000",
    "mov ds, ax",
    "cld",
  ];
  const data: string[] = [];
  ops.forEach((op, i) => {
    switch (op[0]) {
      case "o":
        code.push(`mov dx, ${hex(op[1])}`, `mov al, ${hex(op[2])}`, "out dx, al");
        break;
      case "ow":
        code.push(`mov dx, ${hex(op[1])}`, `mov ax, ${hex(op[2])}`, "out dx, ax");
        break;
      case "i":
        code.push(`mov dx, ${hex(op[1])}`, "in al, dx");
        break;
      case "r":
        code.push(
          `mov ax, ${hex((op[1] >>> 4) & 0xf000)}`,
          "mov es, ax",
          `mov al, [es:${hex(op[1] & 0xffff)}]`,
        );
        break;
      case "w":
        code.push(
          `mov si, d${i}`,
          `mov ax, ${hex((op[1] >>> 4) & 0xf000)}`,
          "mov es, ax",
          `mov di, ${hex(op[1] & 0xffff)}`,
          `mov cx, ${op[2].length}`,
          "rep movsb",
        );
        data.push(`d${i}: db ${op[2].join(",")}`);
        break;
    }
  });
  code.push("halt:", "hlt", "jmp halt");
  return [
    ...code,
    ...data,
    "times 0xfff0 - ($ - $$) db 0",
    "jmp 0xf000:start",
    "times 0x10000 - ($ - $$) db 0",
    "",
  ].join("\n");
}

async function screendump(rom: string, ppm: string): Promise<void> {
  const qemu = spawn(
    "qemu-system-i386",
    [
      "-M",
      "pc",
      "-bios",
      rom,
      "-vga",
      "std",
      "-display",
      "none",
      "-monitor",
      "stdio",
      "-nodefaults",
    ],
    { stdio: ["pipe", "ignore", "inherit"] },
  );
  await new Promise((r) => setTimeout(r, 1500));
  qemu.stdin.write(`screendump ${ppm}\n`);
  await new Promise((r) => setTimeout(r, 700));
  qemu.stdin.write("quit\n");
  await new Promise((r) => qemu.on("exit", r));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "vga-qemu-"));
  const scenes: Scene[] = buildScenes(loadFont());
  for (const scene of scenes) {
    const asm = join(dir, `${scene.name}.asm`);
    const rom = join(dir, `${scene.name}.bin`);
    const ppm = join(dir, `${scene.name}.ppm`);
    writeFileSync(asm, romSource(scene.ops));
    execFileSync("nasm", ["-f", "bin", "-o", rom, asm]);
    await screendump(rom, ppm);
    writeFileSync(join(OUT, `${scene.name}.ppm.gz`), gzipSync(readFileSync(ppm), { level: 9 }));
    console.log(`${scene.name}: ${readFileSync(ppm).length} bytes of PPM`);
  }
  writeFileSync(join(OUT, "scenes.json.gz"), gzipSync(JSON.stringify(scenes), { level: 9 }));
}

await main();
