// Guest IR programs for the spike (see region.mjs for the forms).
/** The table-driven CRC32 loop (8 guest instructions): esi=r6 buffer, ecx=r1 count, eax=r0. */
export const CRC = [
  ["load8", 2, 6, 0],
  ["xor", 2, 0],
  ["andi", 2, 255],
  ["shr", 0, 8],
  ["xormem", 0, 2, 0x1000],
  ["inc", 6],
  ["dec", 1],
];

/** `n` pseudo-random register/memory forms (a lukewarm region's mix), an exit test every 12. */
export function randomOps(n, seed = 1) {
  const ops = [];
  for (let k = 0; k < n; k++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    const r = seed >>> 8;
    const d = (r & 7) === 5 ? 3 : r & 7,
      a = (r >> 3) & 7,
      kind = (r >> 6) % 10;
    if (k % 12 === 11) ops.push(["exit"]);
    else if (kind < 2) ops.push(["load", d, 5, (r >> 10) & 0xffc]);
    else if (kind < 3) ops.push(["store", d, 5, (r >> 10) & 0xffc]);
    else if (kind < 5) ops.push([["add", "sub", "xor", "and", "or"][a % 5] + "i", d, r >> 16]);
    else if (kind < 8) ops.push([["add", "sub", "xor", "and", "or"][d % 5], d, a]);
    else ops.push([kind === 8 ? "inc" : "shr", d, 3]);
  }
  ops.push(["dec", 1]);
  return ops;
}
