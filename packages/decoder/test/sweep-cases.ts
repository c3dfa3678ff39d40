// Systematic differential cases: every opcode of every map (one-byte, 0F, 0F 38, 0F 3A) crossed
// with ModRM values and prefix combinations, each in its own 16-byte slot. The bytes after the
// ModRM vary with the ModRM so SIB bases, displacements and immediates are exercised.

const MAPS: readonly (readonly number[])[] = [[], [0x0f], [0x0f, 0x38], [0x0f, 0x3a]];
const FILL = [
  [0x24, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88],
  [0x65, 0x80, 0x90, 0xa0, 0xb0, 0x01, 0x02, 0x03, 0x04],
  [0x05, 0xfe, 0xff, 0xff, 0xff, 0x7f, 0x00, 0x00, 0x00],
  [0xdd, 0x00, 0x10, 0x00, 0x00, 0xc3, 0xc4, 0xc5, 0xc6],
] as const;

function prefixSets(bits: 16 | 32 | 64, full: boolean): number[][] {
  const base = [[], [0x66], [0xf3], [0xf2]];
  if (!full) return base;
  const more = [
    [0x67],
    [0xf0],
    [0x26],
    [0x64],
    [0x66, 0xf3],
    [0xf3, 0x66],
    [0x66, 0xf2],
    [0xf2, 0xf3],
    [0xf0, 0x66],
    [0x2e, 0x3e],
  ];
  const rex =
    bits === 64 ? [[0x48], [0x41], [0x44], [0x42], [0x4f], [0x66, 0x48], [0x40], [0x48, 0x66]] : [];
  return [...base, ...more, ...rex];
}

export interface SweepCases {
  readonly buf: Uint8Array;
  readonly offsets: readonly number[];
}

/**
 * `full`: every prefix set with every ModRM; otherwise the four base prefix sets with every
 * ModRM, and the other prefix sets with 16 ModRM values (quick lane).
 */
export function buildSweepCases(bits: 16 | 32 | 64, full = true): SweepCases {
  const cases: number[][] = [];
  const sets = prefixSets(bits, true);
  sets.forEach((pre, si) => {
    const allModrm = full || si < 4;
    for (const map of MAPS) {
      for (let op = 0; op < 256; op++) {
        for (let m = 0; m < 256; m += allModrm ? 1 : 17) {
          const fill = FILL[(m + op) & 3]!;
          cases.push([...pre, ...map, op, m, ...fill]);
        }
      }
    }
  });
  const buf = new Uint8Array(cases.length * 16);
  const offsets: number[] = [];
  cases.forEach((c, i) => {
    buf.set(c.slice(0, 16), i * 16);
    offsets.push(i * 16);
  });
  return { buf, offsets };
}
