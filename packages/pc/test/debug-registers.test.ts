// Debug registers on the real board: the cpu package's sysarch11 guest (instruction, data and
// I/O breakpoints, RF, GD, TF, the MOV SS shadow, task switches; fixtures/debug-registers, a
// copy of packages/cpu/test/system-arch/guest/sysarch11.*) run as the BIOS, so data breakpoints
// go through the real Mmu's page watch, under each execution engine. The expected output is
// QEMU 7.2's with the cpu test's named SDM rules applied (SDM vol. 3 chapter 17).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createPc, type Pc } from "../src/index";

const dir = new URL("./fixtures/debug-registers/", import.meta.url);

async function run(engine: "interpreter" | "recompiler" | "auto"): Promise<string> {
  const bios = new Uint8Array(gunzipSync(readFileSync(new URL("sysarch11.bin.gz", dir))));
  let output = "";
  let pc: Pc | undefined = undefined;
  pc = createPc({
    bios,
    engine,
    deterministic: true,
    debugcon: {
      write: (bytes) => {
        output += String.fromCharCode(...bytes);
        if (output.endsWith("z\n")) pc?.stop(); // the image's last line; it then halts
      },
    },
  });
  await pc.start();
  return output;
}

describe("debug registers on the board (real Mmu)", () => {
  const want = readFileSync(new URL("sysarch11.sdm.expected", dir), "latin1");
  it.each(["interpreter", "recompiler", "auto"] as const)("%s", async (engine) => {
    expect(await run(engine)).toBe(want);
  });
});
