// Property test: the MMU (software TLB + walker) against the reference walker of
// testing/reference-walker.ts, which re-reads the paging structures on every access as the
// SDM's architectural model does. Random page tables, random accesses of every kind, width
// and privilege (page-crossing included), and the TLB-maintenance operations the SDM
// requires after changing paging structures (4.10.4: INVLPG, MOV CR3, CR4.PGE toggles).
// Between maintenance points the two must agree exactly: values, faults (CR2 and error
// code) and every byte of memory, accessed/dirty flags included.
import { describe, expect, it } from "vitest";
import { Mmu } from "./mmu";
import { PhysicalSpace } from "./physical-space";
import { PageTableBuilder, type TableFormat } from "./testing/page-tables";
import { referenceTranslate, type ReferenceConfig } from "./testing/reference-walker";

const RAM = 0x100_0000;
const PG = 1 << 31;
const WP = 1 << 16;
const PSE = 1 << 4;
const PAE = 1 << 5;
const PGE = 1 << 7;
const LME = 1 << 8;
const NXE = 1 << 11;
/** Linear clusters of 4 KiB pages spread over the PDE/PDPTE/PML4 indexes the tables can reach. */
const CLUSTERS = [0x0040_0000, 0x0080_0000, 0x4000_0000, 0xbfc0_0000, 0xffc0_0000];
/** Separate 4 MiB-aligned places for large pages (a large PDE must not replace a page table). */
const LARGE_PLACES = [0x00c0_0000, 0x8000_0000, 0xc000_0000];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}

interface Mapping {
  linear: number;
  size: number;
}

type Outcome = { fault: number; code: number } | { value: number };

function run(format: TableFormat, seed: number): number {
  const rand = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const chance = (p: number): boolean => rand() < p;
  const wide = format !== "32bit";
  const memA = new PhysicalSpace({ ramSize: RAM });
  const memB = new PhysicalSpace({ ramSize: RAM });
  for (let a = 0x40_0000; a < RAM; a += 4) memA.write32(a, Math.floor(rand() * 0x1_0000_0000));
  const tables = new PageTableBuilder(memA, format, 0x10_0000);
  const mappings: Mapping[] = [];
  const largeSize = format === "32bit" ? 0x40_0000 : 0x20_0000;
  for (let i = 0; i < 80; i++) {
    const large = chance(0.15);
    const linear = large ? pick(LARGE_PLACES) : pick(CLUSTERS) + Math.floor(rand() * 96) * 0x1000;
    const size = large ? largeSize : 0x1000;
    const physical = large
      ? pick([0x40_0000, 0x80_0000, 0xc0_0000])
      : 0x40_0000 + Math.floor(rand() * ((RAM - 0x40_0000) / 0x1000)) * 0x1000;
    const flag = (p: number, bit: number) => (chance(p) ? bit : 0);
    tables.map(linear, physical, {
      dirFlags: 1 | flag(0.8, 2) | flag(0.8, 4) | flag(0.3, 0x20),
      leafFlags:
        flag(0.9, 1) |
        flag(0.6, 2) |
        flag(0.6, 4) |
        flag(0.3, 0x20) |
        flag(0.3, 0x40) |
        flag(0.3, 0x100),
      dirXd: wide && chance(0.1),
      leafXd: wide && chance(0.25),
      leafHigh: wide && chance(0.03) ? 0x10 : 0,
      size,
    });
    mappings.push({ linear, size });
  }
  memB.u8.set(memA.u8);

  const mmu = new Mmu(memA);
  let fault: { linear: number; code: number } | undefined;
  mmu.setFaultSink((linear, code) => {
    fault = { linear, code };
    throw fault;
  });
  let cr0 = PG | 1 | (chance(0.5) ? WP : 0);
  let cr4 = (format === "32bit" ? PSE : PAE) | (chance(0.5) ? PGE : 0);
  let efer = (format === "4level" ? LME : 0) | (wide && chance(0.7) ? NXE : 0);
  let user = false;
  let a20 = true;
  let pdptes: bigint[] = [];
  /** `reload`: the write is one that loads the PAE PDPTE registers (SDM 4.4.1). */
  const loadCr = (reload = true) => {
    mmu.setPaging({ cr0, cr3: tables.cr3, cr4, efer });
    if (format === "pae" && reload) {
      const base = a20 ? tables.cr3 : tables.cr3 & ~0x10_0000; // loaded through the A20 gate too
      pdptes = [0, 1, 2, 3].map(
        (i) =>
          (BigInt(memB.read32(base + i * 8 + 4) >>> 0) << 32n) |
          BigInt(memB.read32(base + i * 8) >>> 0),
      );
    }
  };
  loadCr();
  mmu.setUserMode(user);

  const mmuAccess = (kind: number, width: number, linear: number, value: number): Outcome => {
    fault = undefined;
    try {
      if (kind === 1) {
        if (width === 1) mmu.write8(linear, value & 0xff);
        else if (width === 2) mmu.write16(linear, value & 0xffff);
        else mmu.write32(linear, value);
        return { value: 0 };
      }
      if (kind === 0)
        return {
          value:
            width === 1 ? mmu.read8(linear) : width === 2 ? mmu.read16(linear) : mmu.read32(linear),
        };
      return {
        value:
          width === 1
            ? mmu.fetch8(linear)
            : width === 2
              ? mmu.fetch16(linear)
              : mmu.fetch32(linear),
      };
    } catch (e) {
      const f = fault as { linear: number; code: number } | undefined;
      if (f === undefined) throw e;
      return { fault: f.linear, code: f.code };
    }
  };
  const refAccess = (kind: 0 | 1 | 2, width: number, linear: number, value: number): Outcome => {
    const cfg: ReferenceConfig = { cr0, cr3: tables.cr3, cr4, efer, user, pdptes, a20 };
    const off = linear & 0xfff;
    const t1 = referenceTranslate(memB, cfg, linear, kind);
    if (t1.fault) return { fault: linear, code: t1.errorCode };
    let p2 = 0;
    if (off + width > 0x1000) {
      const second = ((linear | 0xfff) + 1) >>> 0;
      const t2 = referenceTranslate(memB, cfg, second, kind);
      if (t2.fault) return { fault: second, code: t2.errorCode };
      p2 = t2.physical;
    }
    const n1 = 0x1000 - off;
    let v = 0;
    for (let i = 0; i < width; i++) {
      const pa = i < n1 ? t1.physical + i : p2 + i - n1;
      if (kind === 1) memB.write8(pa, (value >>> (8 * i)) & 0xff);
      else v |= memB.read8(pa) << (8 * i);
    }
    return { value: kind === 1 ? 0 : width === 4 ? v | 0 : v };
  };
  const editBoth = (at: number, xorLo: number, xorHi: number) => {
    memA.write32(at, memA.read32(at) ^ xorLo);
    memB.write32(at, memB.read32(at) ^ xorLo);
    if (wide && xorHi !== 0) {
      memA.write32(at + 4, memA.read32(at + 4) ^ xorHi);
      memB.write32(at + 4, memB.read32(at + 4) ^ xorHi);
    }
  };

  let accesses = 0;
  for (let step = 0; step < 4000; step++) {
    const r = rand();
    const m = pick(mappings);
    if (r < 0.8) {
      const kind = pick([0, 0, 1, 1, 2] as const);
      const width = pick([1, 2, 4]);
      const offset = chance(0.15)
        ? 0x1000 - Math.floor(rand() * 4) - 1
        : Math.floor(rand() * (m.size === 0x1000 ? 0x1000 : 0x8000));
      const linear = chance(0.1)
        ? (Math.floor(rand() * 0x10_0000) * 0x1000 + offset) >>> 0
        : (m.linear + offset) >>> 0;
      const value = Math.floor(rand() * 0x1_0000_0000) | 0;
      const got = mmuAccess(kind, width, linear, value);
      const want = refAccess(kind, width, linear, value);
      expect(
        got,
        `seed ${seed} step ${step}: kind ${kind} width ${width} at 0x${linear.toString(16)} user=${user}`,
      ).toEqual(want);
      accesses++;
    } else if (r < 0.9) {
      // Change the leaf (P, R/W, U/S, A, D, G, XD), then INVLPG somewhere inside the page.
      const at = tables.leafAddress(m.linear, m.size);
      editBoth(at, pick([1, 2, 4, 0x20, 0x40, 0x100, 0x26]), wide && chance(0.2) ? 0x8000_0000 : 0);
      mmu.invalidatePage(m.linear + Math.floor(rand() * Math.min(m.size, 0x8000)));
    } else if (r < 0.92) {
      // Change a directory entry: MOV CR3 (or a PGE toggle when global pages may be cached).
      if (m.size !== 0x1000) continue;
      const at = tables.leafAddress(m.linear, largeSize);
      editBoth(at, pick([2, 4, 0x20]), 0);
      if ((cr4 & PGE) !== 0) {
        cr4 &= ~PGE;
        loadCr();
        cr4 |= PGE;
      }
      loadCr();
    } else if (r < 0.94) {
      loadCr(); // MOV CR3 with no change: globals survive, nothing may differ
    } else if (r < 0.96) {
      cr0 ^= WP; // WP is checked per access: no flush is needed
      loadCr(false);
    } else if (r < 0.98) {
      user = !user;
      mmu.setUserMode(user);
    } else if (r < 0.99) {
      if (wide && chance(0.5)) {
        efer ^= NXE; // WRMSR: flushes, but does not reload PDPTEs
        loadCr(false);
      } else {
        cr4 ^= PGE;
        loadCr();
      }
    } else if (chance(0.3)) {
      a20 = !a20; // the gate masks every physical address, page-table reads included
      mmu.setA20(a20);
    } else {
      mmu.invalidatePage(Math.floor(rand() * 0x1_0000_0000));
    }
  }
  expect(
    Buffer.compare(memA.u8, memB.u8),
    `seed ${seed}: memory (data and A/D flags) differs`,
  ).toBe(0);
  return accesses;
}

describe("MMU + TLB agree with the reference walker (random tables and access sequences)", () => {
  for (const format of ["32bit", "pae", "4level"] as const) {
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      it(`${format}, seed ${seed}`, () => {
        expect(run(format, seed)).toBeGreaterThan(3000);
      });
    }
  }
});
