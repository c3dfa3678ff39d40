// Condition codes (the low nibble of Jcc/SETcc/CMOVcc opcodes, SDM vol. 1, appendix B) and the
// near-branch helper shared by the control-flow handlers.
import { raiseGp } from "../exceptions";
import { type CpuState } from "../state/cpu-state";
import { SegReg } from "../state/registers";

/** Condition codes in encoding order. */
export const Cond = {
  O: 0,
  NO: 1,
  B: 2,
  AE: 3,
  E: 4,
  NE: 5,
  BE: 6,
  A: 7,
  S: 8,
  NS: 9,
  P: 10,
  NP: 11,
  L: 12,
  GE: 13,
  LE: 14,
  G: 15,
} as const;

/** Evaluates condition `cc` (0..15) from the (possibly lazy) flags. */
export function testCondition(s: CpuState, cc: number): boolean {
  let r: boolean;
  switch (cc >> 1) {
    case 0:
      r = s.getOF();
      break;
    case 1:
      r = s.getCF() !== 0;
      break;
    case 2:
      r = s.getZF();
      break;
    case 3:
      r = s.getCF() !== 0 || s.getZF();
      break;
    case 4:
      r = s.getSF();
      break;
    case 5:
      r = s.getPF();
      break;
    case 6:
      r = s.getSF() !== s.getOF();
      break;
    default:
      r = s.getZF() || s.getSF() !== s.getOF();
      break;
  }
  return (cc & 1) === 0 ? r : !r;
}

/** Jumps to `target` in the current code segment: #GP(0) beyond the CS limit (SDM vol. 2, JMP). */
export function jumpNear(s: CpuState, target: number): void {
  target >>>= 0;
  if (target > s.segLimit[SegReg.CS]!) raiseGp(0);
  s.eip = target;
}

/** The condition-code names as iced spells them in `Code` names, in encoding order. */
export const COND_NAMES = [
  "o",
  "no",
  "b",
  "ae",
  "e",
  "ne",
  "be",
  "a",
  "s",
  "ns",
  "p",
  "np",
  "l",
  "ge",
  "le",
  "g",
];
