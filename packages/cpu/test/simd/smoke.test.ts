import { expect, test } from "vitest";
import { DATA, exec, makeState } from "./harness";
test("smoke", () => {
  const { s, mem } = makeState();
  s.regs[0] = DATA;
  exec(s, mem, [0xd9, 0xe8]); // fld1
  exec(s, mem, [0xd8, 0xc0]); // fadd st0,st0
  exec(s, mem, [0xdd, 0x18]); // fstp qword [eax]
  expect(new Float64Array(mem.bytes.buffer, DATA, 1)[0]).toBe(2);
  expect(s.fpu.getSw()).toBe(0);
});
