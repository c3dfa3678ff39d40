// Double-double arithmetic: a value is hi + lo, two host doubles with |lo| <= ulp(hi) / 2, good
// for ~104 significant bits (Dekker 1971; Hida, Li and Bailey, "Library for double-double and
// quad-double arithmetic", 2000). The x87 transcendentals (transcendental.ts) evaluate in it so
// their 64-bit results are correctly rounded but for operands within ~2^-40 of a rounding
// boundary, as the hardware's are (its accuracy is below one 64-bit ulp, SDM vol. 1 8.3.10).
//
// Allocation-free: every operation leaves its result in the module's `H`/`L` pair, read right
// after the call (`dd.H`, `dd.L`). Operands are passed as numbers.

/** Result of the last operation: its high and low parts. */
export let H = 0;
export let L = 0;

/** 2^27 + 1, Dekker's splitter for a 53-bit significand. */
const SPLIT = 134217729;

/** H + L = a + b exactly. */
function twoSum(a: number, b: number): void {
  const s = a + b;
  const bb = s - a;
  H = s;
  L = a - (s - bb) + (b - bb);
}

/** H + L = a + b exactly, given |a| >= |b| or a = 0. */
function quickTwoSum(a: number, b: number): void {
  const s = a + b;
  H = s;
  L = b - (s - a);
}

/** H + L = a * b exactly (Dekker's product; no overflow in the splits: |a|, |b| < 2^995). */
export function twoProd(a: number, b: number): void {
  const p = a * b;
  let t = SPLIT * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLIT * b;
  const bh = t - (t - b);
  const bl = b - bh;
  H = p;
  L = ah * bh - p + ah * bl + al * bh + al * bl;
}

/** (ah, al) + (bh, bl). */
export function add(ah: number, al: number, bh: number, bl: number): void {
  twoSum(ah, bh);
  const s1 = H;
  let s2 = L;
  twoSum(al, bl);
  const t2 = L;
  s2 += H;
  quickTwoSum(s1, s2);
  quickTwoSum(H, L + t2);
}

/** (ah, al) - (bh, bl). */
export function sub(ah: number, al: number, bh: number, bl: number): void {
  add(ah, al, -bh, -bl);
}

/** (ah, al) * (bh, bl). */
export function mul(ah: number, al: number, bh: number, bl: number): void {
  twoProd(ah, bh);
  const p1 = H;
  const p2 = L + (ah * bl + al * bh);
  quickTwoSum(p1, p2);
}

/** (ah, al) / (bh, bl): three quotient digits, each from the remainder of the last. */
export function div(ah: number, al: number, bh: number, bl: number): void {
  const q1 = ah / bh;
  mul(q1, 0, bh, bl);
  sub(ah, al, H, L);
  let rh = H;
  let rl = L;
  const q2 = rh / bh;
  mul(q2, 0, bh, bl);
  sub(rh, rl, H, L);
  rh = H;
  rl = L;
  const q3 = rh / bh;
  quickTwoSum(q1, q2);
  add(H, L, q3, 0);
}

/** sqrt(ah, al) for a positive operand: one Newton step from the host's square root. */
export function sqrt(ah: number, al: number): void {
  const q = Math.sqrt(ah);
  twoProd(q, q);
  sub(ah, al, H, L);
  quickTwoSum(q, H / (2 * q));
}

/** (h, l) * f for a power of two f (exact). */
export function scale(h: number, l: number, f: number): void {
  H = h * f;
  L = l * f;
}
