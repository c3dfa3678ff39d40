// The dense cold-tier spike's interpreter (see README.md): one WebAssembly function that runs
// pre-decoded guest instructions, two words each (form | registers, displacement / immediate /
// target), with the guest registers, the lazy flag record, a TLB and guest RAM in its memory.
// Nine forms, the ones `bench/cold.ts`'s blocks use: MOV r32,[base+disp]; ADD r32,r32; MOV
// [base+disp],r32; PUSH r32; POP r32; INC r32; DEC r32; JZ; JMP (a block's end: instruction count
// and budget). Each memory form first tests an event word and the segment's flat bit, as the cold
// tier does; a TLB entry whose rights fail leaves with -(pc) (the JavaScript side would run it).
import { buildModule, code } from "../wasm-spike/wasm.mjs";

/** Memory layout (byte addresses). */
export const REGS = 0; // 8 x i32
export const FLAGS = 64; // op, a, b, res
export const COUNT = 80; // instructions run by the last call
export const EVENTS = 84; // nonzero: an event is pending
export const FLAT = 88; // bit 1 << seg: the segment is flat
export const TLB = 4096; // 4096 entries: host page | rights (1 read, 2 write)
export const CODE = 65536;
export const RAM = 8 << 20;
export const MEM_PAGES = 512;

/** Form numbers (the low 4 bits of a first word). */
export const F = {
  load: 0,
  add: 1,
  store: 2,
  push: 3,
  pop: 4,
  inc: 5,
  dec: 6,
  jz: 7,
  jmp: 8,
  exit: 9,
};

const [SS, DS] = [2, 3];

// Locals: 0 pc, 1 budget, 2 w, 3 x, 4 a, 5 b, 6 r, 7 addr, 8 e, 9 n.
const reg = (shift) =>
  `local.get 2 i32.const ${shift} i32.shr_u i32.const 7 i32.and i32.const 2 i32.shl`;
const bail = "i32.const 0 local.get 0 i32.sub return";
/** The event word and segment `seg`'s flat bit, then local 7's TLB entry into local 8 (rights `need`). */
const access = (need, seg) => `
  i32.const 0 i32.load ${EVENTS} i32.const 0 i32.load ${FLAT} i32.const ${1 << seg} i32.and i32.eqz i32.or
  if 0 ${bail} end
  local.get 7 i32.const 12 i32.shr_u i32.const 2 i32.shl i32.load ${TLB} local.tee 8
  i32.const ${need} i32.and i32.const ${need} i32.ne if 0 ${bail} end`;
const host = "local.get 8 i32.const -4096 i32.and local.get 7 i32.const 4095 i32.and i32.add";
const record = (op, withB) => `
  i32.const 0 i32.const ${op} i32.store ${FLAGS} i32.const 0 local.get 4 i32.store ${FLAGS + 4}
  ${withB ? `i32.const 0 local.get 5 i32.store ${FLAGS + 8}` : ""} i32.const 0 local.get 6 i32.store ${FLAGS + 12}`;

// Handler k sits in the body of block k + 1; from there `done` is at depth 8 - k.
const handlers = [
  // load r1 <- [base + disp]
  `${reg(12)} i32.load 0 local.get 3 i32.add local.set 7 ${access(1, DS)}
   ${reg(8)} ${host} i32.load 0 i32.store 0`,
  // add r1, r2
  `${reg(8)} i32.load 0 local.set 4 ${reg(12)} i32.load 0 local.set 5
   local.get 4 local.get 5 i32.add local.set 6 ${reg(8)} local.get 6 i32.store 0 ${record(1, true)}`,
  // store [base + disp] <- r1
  `${reg(12)} i32.load 0 local.get 3 i32.add local.set 7 ${access(3, DS)}
   ${host} ${reg(8)} i32.load 0 i32.store 0`,
  // push r1
  `i32.const 0 i32.load ${REGS + 16} i32.const 4 i32.sub local.set 7 ${access(3, SS)}
   ${host} ${reg(8)} i32.load 0 i32.store 0 i32.const 0 local.get 7 i32.store ${REGS + 16}`,
  // pop r1
  `i32.const 0 i32.load ${REGS + 16} local.set 7 ${access(1, SS)} ${host} i32.load 0 local.set 6
   i32.const 0 local.get 7 i32.const 4 i32.add i32.store ${REGS + 16} ${reg(8)} local.get 6 i32.store 0`,
  // inc r1
  `${reg(8)} i32.load 0 local.set 4 local.get 4 i32.const 1 i32.add local.set 6
   ${reg(8)} local.get 6 i32.store 0 ${record(2, false)}`,
  // dec r1
  `${reg(8)} i32.load 0 local.set 4 local.get 4 i32.const 1 i32.sub local.set 6
   ${reg(8)} local.get 6 i32.store 0 ${record(3, false)}`,
  // jz target: ZF from the record's result
  `i32.const 0 i32.load ${FLAGS + 12} i32.eqz if 0 local.get 3 local.set 0 end`,
];

const body = code(`
  block 0 loop 0
    local.get 0 i32.load 0 local.set 2 local.get 0 i32.load 4 local.set 3
    local.get 0 i32.const 8 i32.add local.set 0
    block 0 block 0 block 0 block 0 block 0 block 0 block 0 block 0 block 0 block 0
      local.get 2 i32.const 15 i32.and br_table 10 0 1 2 3 4 5 6 7 8 11 11
    ${handlers.map((h, k) => `end ${h} br ${8 - k}`).join("\n")}
    end
      local.get 3 local.set 0 local.get 9 i32.const 9 i32.add local.tee 9
      local.get 1 i32.ge_s br_if 2
    end
    br 0
  end end
  i32.const 0 local.get 9 i32.store ${COUNT} local.get 0`);

/** The module's bytes: `run(pc, budget)` -> the next pc (or -pc: left at that instruction). */
export function interpreterModule() {
  return buildModule(
    [],
    [{ name: "run", params: [0, 0], results: [0], locals: 8, body }],
    MEM_PAGES,
  );
}
