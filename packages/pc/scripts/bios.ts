// Developer script: run SeaBIOS from guests/ (optionally with --hda FILE) and show COM1 + E9h.
import { readFileSync } from "node:fs";
import { createPc } from "../src/index";
const dir = new URL("../../../guests/", import.meta.url).pathname;
const pc = createPc({
  bios: readFileSync(dir + "bios.bin"),
  vgaBios: readFileSync(dir + "vgabios-stdvga.bin"),
  serial: { write: (b) => process.stdout.write(b) },
  debugcon: { write: (b) => process.stderr.write(b) },
});
setTimeout(() => pc.stop(), Number(process.env.SECS ?? 30) * 1000);
const end = await pc.start();
console.error(
  "\nend:",
  end,
  "eip",
  pc.cpu.eip.toString(16),
  "cs",
  pc.cpu.state.segSel[1],
  "insns",
  pc.cpu.instructionCount,
);
process.exit(0);
