// CPU exceptions as thrown objects. A handler that detects a fault throws; the run loop
// catches, rolls EIP/ESP back to the instruction start and delivers the vector
// (SDM vol. 3, chapter 6 "Interrupt and exception handling").

/** Exception and interrupt vectors (SDM vol. 3, table 6-1). */
export const Vector = {
  DE: 0,
  DB: 1,
  NMI: 2,
  BP: 3,
  OF: 4,
  BR: 5,
  UD: 6,
  NM: 7,
  DF: 8,
  TS: 10,
  NP: 11,
  SS: 12,
  GP: 13,
  PF: 14,
  MF: 16,
  AC: 17,
  MC: 18,
} as const;
export type Vector = (typeof Vector)[keyof typeof Vector];

/** Vectors that push an error code (SDM vol. 3, table 6-1 "Error Code" column). */
export function hasErrorCode(vector: number): boolean {
  return vector === 8 || (vector >= 10 && vector <= 14) || vector === 17;
}

/**
 * A CPU exception in flight. Faults restart the instruction (EIP rolled back); traps report
 * the next instruction. Thrown by handlers, the segmentation unit and the MMU's fault sink.
 *
 * Deliberately not an `Error`: an Error captures a stack trace on construction, which costs
 * microseconds per throw, and guests (Linux demand paging) fault constantly. The run loop
 * catches it by class; it never escapes to the host.
 */
export class CpuException {
  readonly name = "CpuException";
  constructor(
    readonly vector: number,
    readonly errorCode: number = 0,
    /** Traps (#DB single step, INT3/INTO reported as traps) keep EIP after the instruction. */
    readonly isTrap = false,
  ) {}

  get message(): string {
    return `CPU exception ${this.vector} (error code ${this.errorCode})`;
  }

  toString(): string {
    return `${this.name}: ${this.message}`;
  }
}

/** Contributory exceptions (SDM vol. 3, table 6-4) decide when two faults make a #DF. */
export function isContributory(vector: number): boolean {
  return vector === 0 || (vector >= 10 && vector <= 13);
}

export function fault(vector: number, errorCode = 0): never {
  throw new CpuException(vector, errorCode);
}

export function raiseUd(): never {
  throw new CpuException(Vector.UD);
}

export function raiseGp(errorCode = 0): never {
  throw new CpuException(Vector.GP, errorCode);
}
