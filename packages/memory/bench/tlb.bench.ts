// TLB-hit accesses against bare typed-array accesses in the same run, and the cost of a
// page walk. Run: pnpm --filter @ringvm/memory bench
import { Mmu, PhysicalSpace } from "../src/index";
import { PageTableBuilder, type TableFormat } from "../src/testing/index";

/** Accesses per measured loop: long enough for the JIT to settle and timers to resolve. */
const N = 20_000_000;
/** Working set: 1 MiB at 4 MiB, i.e. 256 TLB entries, all hits after warm-up. */
const BASE = 0x40_0000;
const SPAN_MASK = 0xf_ffff;
/** Multiplier that walks the working set in a scattered, non-sequential order. */
const STRIDE = 4 * 2_654_435;

function best(fn: () => number): number {
  let min = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    sink ^= fn();
    min = Math.min(min, performance.now() - t0);
  }
  return (min * 1e6) / N; // ns per access
}
let sink = 0;

const mem = new PhysicalSpace({ ramSize: 0x400_0000 });
const mmu = new Mmu(mem);
const tables = new PageTableBuilder(mem, "32bit", 0x10_0000);
for (let a = 0; a < 0x100_0000; a += 0x1000) tables.map(a, a, { dirFlags: 7, leafFlags: 7 });
mmu.setPaging({ cr0: (1 << 31) | 1 | (1 << 16), cr3: tables.cr3, cr4: 0x10, efer: 0 });
for (let a = BASE; a < BASE + SPAN_MASK + 1; a += 0x1000) mmu.write32(a, mmu.read32(a)); // fill, mark dirty
const u8 = mem.u8;
const u16 = mem.u16;
const i32 = mem.i32;

const rows: [string, () => number, () => number][] = [
  [
    "read8",
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += u8[BASE + ((i * STRIDE) & SPAN_MASK)]!;
      return s;
    },
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += mmu.read8(BASE + ((i * STRIDE) & SPAN_MASK));
      return s;
    },
  ],
  [
    "read16",
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += u16[(BASE + ((i * STRIDE) & SPAN_MASK)) >> 1]!;
      return s;
    },
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s += mmu.read16(BASE + ((i * STRIDE) & SPAN_MASK));
      return s;
    },
  ],
  [
    "read32",
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s ^= i32[(BASE + ((i * STRIDE) & SPAN_MASK)) >> 2]!;
      return s;
    },
    () => {
      let s = 0;
      for (let i = 0; i < N; i++) s ^= mmu.read32(BASE + ((i * STRIDE) & SPAN_MASK));
      return s;
    },
  ],
  [
    "write8",
    () => {
      for (let i = 0; i < N; i++) u8[BASE + ((i * STRIDE) & SPAN_MASK)] = i;
      return 0;
    },
    () => {
      for (let i = 0; i < N; i++) mmu.write8(BASE + ((i * STRIDE) & SPAN_MASK), i);
      return 0;
    },
  ],
  [
    "write16",
    () => {
      for (let i = 0; i < N; i++) u16[(BASE + ((i * STRIDE) & SPAN_MASK)) >> 1] = i;
      return 0;
    },
    () => {
      for (let i = 0; i < N; i++) mmu.write16(BASE + ((i * STRIDE) & SPAN_MASK), i);
      return 0;
    },
  ],
  [
    "write32",
    () => {
      for (let i = 0; i < N; i++) i32[(BASE + ((i * STRIDE) & SPAN_MASK)) >> 2] = i;
      return 0;
    },
    () => {
      for (let i = 0; i < N; i++) mmu.write32(BASE + ((i * STRIDE) & SPAN_MASK), i);
      return 0;
    },
  ],
];

console.log("TLB hit vs bare typed array (ns/access, best of 5, %d accesses):", N);
for (const [name, bare, viaMmu] of rows) {
  const b = best(bare);
  const m = best(viaMmu);
  console.log(
    `  ${name.padEnd(8)} bare ${b.toFixed(2).padStart(6)}  mmu ${m.toFixed(2).padStart(6)}  ratio ${(m / b).toFixed(2)}x`,
  );
}

/** Page walk: INVLPG then a read, over 4096 distinct pages, per paging mode. */
function walkCost(format: TableFormat): number {
  const space = new PhysicalSpace({ ramSize: 0x400_0000 });
  const m = new Mmu(space);
  const t = new PageTableBuilder(space, format, 0x10_0000);
  for (let a = 0; a < 0x100_0000; a += 0x1000)
    t.map(0x4000_0000 + a, a, { dirFlags: 7, leafFlags: 7 | 0x60 });
  m.setPaging({
    cr0: (1 << 31) | 1,
    cr3: t.cr3,
    cr4: format === "32bit" ? 0x10 : 0x20,
    efer: format === "4level" ? 0x100 : 0,
  });
  const count = 2_000_000;
  let min = Infinity;
  for (let r = 0; r < 5; r++) {
    const t0 = performance.now();
    let s = 0;
    for (let i = 0; i < count; i++) {
      const a = 0x4000_0000 + ((i * 0x1000 * 2_654_435) & 0xff_f000);
      m.invalidatePage(a);
      s += m.read8(a);
    }
    sink ^= s;
    min = Math.min(min, performance.now() - t0);
  }
  return (min * 1e6) / count;
}
console.log("Page walk (INVLPG + TLB-miss read, ns):");
for (const f of ["32bit", "pae", "4level"] as const)
  console.log(`  ${f.padEnd(8)} ${walkCost(f).toFixed(1)}`);
if (sink === 0.5) console.log(sink);
