// FXSAVE / FNSTENV / FNSAVE images of the x87 state against the host (native/x87image.c, recorded
// by native/gen-vectors.ts). The instruction/operand pointer fields (FXSAVE bytes 6-23, ENV bytes
// 12-25) hold host addresses and are not compared; FXSAVE bytes 24-31 (MXCSR) are SSE state.
// Layouts: SDM vol. 1 8.1.10 (figures 8-9, 8-10) and table 10-2.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import {
  ENV32_PROT,
  ENV16_PROT,
  ENV16_REAL,
  ENV32_REAL,
  frstor,
  fsave,
  fxrstor,
  fxsave,
  loadEnv,
  maskAllAfterStoreEnv,
  storeEnv,
} from "../../src/x87/images";
import { X87State } from "../../src/x87/state";
import { F80 } from "../../src/x87/softfloat/types";
import { parse } from "./model";

const hexOf = (b: Uint8Array, from: number, to: number): string =>
  Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, "0")).join("");

interface ImageCase {
  line: string;
  cw: number;
  values: string[];
  free: number;
  fx: string;
  env: string;
  save: string;
}

function load(): ImageCase[] {
  const text = gunzipSync(
    readFileSync(join(import.meta.dirname, "vectors", "images.txt.gz")),
  ).toString();
  return text
    .trimEnd()
    .split("\n")
    .map((line) => {
      const [input = "", output = ""] = line.split(" | ");
      const f = input.split(" ");
      const [fx = "", env = "", save = ""] = output.split(" ");
      return {
        line,
        cw: parseInt(f[0] ?? "0", 16),
        values: f.slice(3, 3 + Number(f[1])),
        free: Number(f[2]),
        fx,
        env,
        save,
      };
    });
}

/** Replays a case: FNINIT, FLDCW, FNCLEX+FLD m80 per value, optional FFREE. */
function replay(c: ImageCase): X87State {
  const s = new X87State();
  s.reset();
  s.setCw(c.cw);
  const v = new F80();
  for (const x of c.values) {
    s.clearExceptions();
    s.push(parse(x, v));
  }
  if (c.free < 8) s.free(c.free);
  return s;
}

const cases = load();

describe("x87 state images vs host", () => {
  it(`FXSAVE x87 bytes match in ${cases.length} cases`, () => {
    const bad: string[] = [];
    const buf = new Uint8Array(512);
    for (const c of cases) {
      fxsave(replay(c), buf, 0, false);
      const want = c.fx.slice(0, 12) + c.fx.slice(64, 320);
      const got = hexOf(buf, 0, 6) + hexOf(buf, 32, 160);
      if (want !== got) bad.push(`${c.line}\n got ${got}`);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it("FNSTENV (32-bit protected) and the following FNSAVE match", () => {
    const bad: string[] = [];
    const buf = new Uint8Array(108);
    for (const c of cases) {
      const s = replay(c);
      storeEnv(s, buf, 0, ENV32_PROT);
      const envGot = hexOf(buf, 0, 12) + hexOf(buf, 26, 28);
      const envWant = c.env.slice(0, 24) + c.env.slice(52, 56);
      maskAllAfterStoreEnv(s);
      fsave(s, buf, 0, ENV32_PROT);
      const saveGot = hexOf(buf, 0, 12) + hexOf(buf, 28, 108);
      const saveWant = c.save.slice(0, 24) + c.save.slice(56, 216);
      if (envGot !== envWant || saveGot !== saveWant)
        bad.push(`${c.line}\n got ${envGot} ${saveGot}`);
      // FNSAVE re-initializes (SDM vol. 2 FSAVE).
      expect(s.getSw()).toBe(0);
      expect(s.tagWord()).toBe(0xffff);
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it("FRSTOR and FXRSTOR of host images reproduce them byte for byte", () => {
    const bad: string[] = [];
    for (const c of cases) {
      const img = Uint8Array.from(c.save.match(/../g) ?? [], (h) => parseInt(h, 16));
      const s = new X87State();
      frstor(s, img, 0, ENV32_PROT);
      const again = new Uint8Array(108);
      fsave(s, again, 0, ENV32_PROT);
      if (hexOf(again, 0, 108) !== c.save)
        bad.push(`frstor ${c.line}\n got ${hexOf(again, 0, 108)}`);
      const fx = Uint8Array.from(c.fx.match(/../g) ?? [], (h) => parseInt(h, 16));
      const t = new X87State();
      fxrstor(t, fx, 0, false);
      const fx2 = new Uint8Array(160);
      fxsave(t, fx2, 0, false);
      if (hexOf(fx2, 0, 24) + hexOf(fx2, 32, 160) !== c.fx.slice(0, 48) + c.fx.slice(64, 320)) {
        bad.push(`fxrstor ${c.line}`);
      }
    }
    expect(bad.slice(0, 3)).toEqual([]);
  });

  it("16-bit and real-mode environment layouts place the pointers per SDM figures 8-9/8-10/8-12", () => {
    const s = new X87State();
    s.reset();
    s.fip = 0x000abcde;
    s.fcs = 0x1234;
    s.fop = 0x5ee;
    s.fdp = 0x00056789;
    s.fds = 0x4321;
    const b = new Uint8Array(28);
    storeEnv(s, b, 0, ENV16_REAL);
    // FIP 15..0, then FIP 19..16 in bits 15-12 with the opcode in bits 10-0
    expect(hexOf(b, 0, 14)).toBe("7f030000ffff" + "debc" + "eea5" + "8967" + "0050");
    storeEnv(s, b, 0, ENV16_PROT);
    expect(hexOf(b, 0, 14)).toBe("7f030000ffff" + "debc" + "3412" + "8967" + "2143");
    storeEnv(s, b, 0, ENV32_REAL);
    expect(hexOf(b, 12, 28)).toBe("debcffff" + "eea50000" + "8967ffff" + "00500000");
    const t = new X87State();
    loadEnv(t, b, 0, ENV32_REAL);
    expect([t.fip, t.fop, t.fdp]).toEqual([0x000abcde, 0x5ee, 0x00056789]);
    storeEnv(s, b, 0, ENV16_REAL);
    loadEnv(t, b, 0, ENV16_REAL);
    expect([t.fip, t.fop, t.fdp]).toEqual([0x000abcde, 0x5ee, 0x00056789]);
  });
});
