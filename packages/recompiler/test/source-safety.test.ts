// Generated source contains only names the recompiler chose (RUNTIME_NAMES), numbers and
// operators: never text taken from guest memory.
import { describe, expect, it } from "vitest";
import { RUNTIME_NAMES, type Block } from "../src/index";
import { makeMachine } from "./support/machine";
import { randomProgram } from "./support/random-program";

const ALLOWED = new Set(RUNTIME_NAMES);
/** Punctuation and operators the emitters use. */
const PUNCT = /^(?:[{}()[\];,.]|===|!==|>>>|>>|<<|<=|>=|&&|\|\||[-+*&|^!<>=~?:])$/;

function scan(source: string): string[] {
  const bad: string[] = [];
  const tokens = source.match(/[A-Za-z_$][\w$]*|\d+|>>>|===|!==|>>|<<|<=|>=|&&|\|\||\S/g) ?? [];
  for (const t of tokens) {
    if (/^[A-Za-z_$]/.test(t)) {
      if (!ALLOWED.has(t)) bad.push(t);
    } else if (!/^\d+$/.test(t) && !PUNCT.test(t)) {
      bad.push(t);
    }
  }
  return bad;
}

function translate(code: Uint8Array, budget = 200_000): Block[] {
  const m = makeMachine(code, true, 1);
  m.engine!.run(budget);
  return [...m.engine!.blocks()];
}

describe("generated source", () => {
  it(
    "uses only allow-listed names, numbers and operators (random programs)",
    { timeout: 60_000 },
    () => {
      let blocks = 0;
      for (let seed = 1; seed <= 40; seed++) {
        for (const b of translate(randomProgram(seed))) {
          blocks++;
          expect(scan(b.source)).toEqual([]);
        }
      }
      expect(blocks).toBeGreaterThan(40);
    },
  );

  it("never contains guest bytes as text, even when the guest code spells JavaScript", () => {
    // "process.exit(1)//" and a quote, as raw code bytes and as immediates.
    const text = Array.from('process.exit(1)//"', (ch) => ch.charCodeAt(0));
    const imm = [0xb8, 0x70, 0x72, 0x6f, 0x63]; // mov eax, 'proc'
    const code = Uint8Array.from([...imm, ...text, 0xf4]);
    const blocks = translate(code, 50);
    expect(blocks.length).toBeGreaterThan(0);
    for (const b of blocks) {
      expect(scan(b.source)).toEqual([]);
      expect(b.source).not.toMatch(/process|exit|"/);
    }
  });
});
