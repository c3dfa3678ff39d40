// Table-driven access-rights cases from the Intel SDM vol. 3A (order no. 325384):
//   4.3 32-bit paging (Tables 4-4..4-6), 4.4 PAE (Tables 4-8..4-11), 4.5 4-level (Tables
//   4-15..4-20), 4.6 Access Rights, 4.7 Page-Fault Exceptions (error-code bits),
//   4.8 Accessed and Dirty Flags. Every U/S x R/W (directory and leaf) x CR0.WP x CPL x
//   access kind is run in every paging shape, and with PAE/4-level every EFER.NXE x XD.
// The expected outcome is computed by `sdm46` below, a transcription of 4.6/4.7 that is
// independent of the MMU; a list of literal rows pins the best-known cases by hand.
import { describe, expect, it } from "vitest";
import { Mmu } from "./mmu";
import { PhysicalSpace } from "./physical-space";
import { PageTableBuilder, type TableFormat } from "./testing/page-tables";

const P = 1;
const RW = 2;
const US = 4;
const A = 0x20;
const D = 0x40;
const PG = 1 << 31;
const WP = 1 << 16;
const PSE = 1 << 4;
const PAE = 1 << 5;
const LME = 1 << 8;
const NXE = 1 << 11;
const LINEAR = 0x4012_3456;

interface Shape {
  readonly name: string;
  readonly format: TableFormat;
  readonly size: number;
  readonly cr4: number;
  readonly efer: number;
  readonly physical: number;
}
const SHAPES: readonly Shape[] = [
  { name: "32-bit 4K", format: "32bit", size: 0x1000, cr4: 0, efer: 0, physical: 0x30_0000 },
  {
    name: "32-bit 4K, CR4.PSE=1",
    format: "32bit",
    size: 0x1000,
    cr4: PSE,
    efer: 0,
    physical: 0x30_0000,
  },
  {
    name: "32-bit 4M (PSE)",
    format: "32bit",
    size: 0x40_0000,
    cr4: PSE,
    efer: 0,
    physical: 0x40_0000,
  },
  { name: "PAE 4K", format: "pae", size: 0x1000, cr4: PAE, efer: 0, physical: 0x30_0000 },
  { name: "PAE 2M", format: "pae", size: 0x20_0000, cr4: PAE, efer: 0, physical: 0x40_0000 },
  { name: "4-level 4K", format: "4level", size: 0x1000, cr4: PAE, efer: LME, physical: 0x30_0000 },
  {
    name: "4-level 2M",
    format: "4level",
    size: 0x20_0000,
    cr4: PAE,
    efer: LME,
    physical: 0x40_0000,
  },
  { name: "4-level 1G", format: "4level", size: 0x4000_0000, cr4: PAE, efer: LME, physical: 0 },
];

interface Case {
  dirUs: boolean;
  leafUs: boolean;
  dirRw: boolean;
  leafRw: boolean;
  wp: boolean;
  user: boolean;
  kind: 0 | 1 | 2;
  nxe: boolean;
  dirXd: boolean;
  leafXd: boolean;
}

/** SDM 4.6 (no SMEP/SMAP/PKE) and 4.7: the error code, or -1 when the access is allowed. */
function sdm46(input: Case, paeOrLong: boolean, hasDirectory: boolean): number {
  // A 32-bit 4 MiB or PAE 2 MiB page has no directory entry with R/W, U/S or XD: only the PDPTE register.
  const c = hasDirectory ? input : { ...input, dirUs: true, dirRw: true, dirXd: false };
  const userAddress = c.dirUs && c.leafUs; // "U/S flag is 1 in all paging-structure entries"
  const writable = c.dirRw && c.leafRw; // "R/W flag is 1 in every paging-structure entry"
  const xd = paeOrLong && c.nxe && (c.dirXd || c.leafXd);
  let denied = false;
  if (c.user) {
    if (!userAddress) denied = true;
    else if (c.kind === 1 && !writable) denied = true;
    else if (c.kind === 2 && xd) denied = true;
  } else {
    if (c.kind === 1 && c.wp && !writable) denied = true;
    if (c.kind === 2 && xd) denied = true;
  }
  if (!denied) return -1;
  return (
    1 | (c.kind === 1 ? 2 : 0) | (c.user ? 4 : 0) | (c.kind === 2 && paeOrLong && c.nxe ? 16 : 0)
  );
}

/** False when the leaf is the top entry with rights (4 MiB PDE; PAE 2 MiB under a PDPTE). */
function hasDirectory(shape: Shape): boolean {
  return !(shape.size === 0x40_0000 || (shape.format === "pae" && shape.size === 0x20_0000));
}

function allCases(wide: boolean): Case[] {
  const out: Case[] = [];
  const bools = [false, true];
  for (const dirUs of bools)
    for (const leafUs of bools)
      for (const dirRw of bools)
        for (const leafRw of bools)
          for (const wp of bools)
            for (const user of bools)
              for (const kind of [0, 1, 2] as const)
                for (const nxe of wide ? bools : [false])
                  for (const dirXd of wide && nxe ? bools : [false])
                    for (const leafXd of wide && nxe ? bools : [false])
                      out.push({
                        dirUs,
                        leafUs,
                        dirRw,
                        leafRw,
                        wp,
                        user,
                        kind,
                        nxe,
                        dirXd,
                        leafXd,
                      });
  return out;
}

function setup(shape: Shape) {
  const mem = new PhysicalSpace({ ramSize: 0x80_0000 });
  const mmu = new Mmu(mem);
  const tables = new PageTableBuilder(mem, shape.format, 0x10_0000);
  let fault: { linear: number; code: number } | undefined;
  mmu.setFaultSink((linear, code) => {
    fault = { linear, code };
    throw new Error("#PF");
  });
  const access = (kind: number, user: boolean): { code: number; value: number } => {
    fault = undefined;
    mmu.setUserMode(user);
    let value = -1;
    try {
      if (kind === 0) value = mmu.read8(LINEAR);
      else if (kind === 1) mmu.write8(LINEAR, 0x5a);
      else value = mmu.fetch8(LINEAR);
    } catch (e) {
      const f = fault as { linear: number; code: number } | undefined;
      if (f === undefined) throw e;
      expect(f.linear).toBe(LINEAR);
      return { code: f.code, value };
    }
    return { code: -1, value };
  };
  return { mem, mmu, tables, access };
}

/** Entries on the walk, top to bottom, excluding PAE PDPTEs (which have no A flag). */
function walkEntries(shape: Shape, mem: PhysicalSpace, tables: PageTableBuilder): number[] {
  const leaf = tables.leafAddress(LINEAR, shape.size);
  const out: number[] = [];
  let base = tables.cr3;
  const levels = shape.format === "32bit" ? 2 : shape.format === "pae" ? 3 : 4;
  for (let level = levels; level >= 1; level--) {
    const index =
      shape.format === "32bit"
        ? level === 2
          ? LINEAR >>> 22
          : (LINEAR >>> 12) & 0x3ff
        : shape.format === "pae" && level === 3
          ? LINEAR >>> 30
          : Math.floor(LINEAR / 2 ** (12 + 9 * (level - 1))) & 0x1ff;
    const at = base + index * (shape.format === "32bit" ? 4 : 8);
    if (!(shape.format === "pae" && level === 3)) out.push(at);
    if (at === leaf) break;
    base = mem.read32(at) & ~0xfff;
  }
  return out;
}

describe("SDM 4.6/4.7/4.8: every U/S x R/W x WP x CPL x kind (x NXE x XD) combination", () => {
  for (const shape of SHAPES) {
    const wide = shape.format !== "32bit";
    const cases = allCases(wide);
    it(`${shape.name}: ${cases.length} cases`, () => {
      const { mem, mmu, tables, access } = setup(shape);
      const target = shape.physical + (LINEAR % shape.size);
      let checked = 0;
      for (const c of cases) {
        tables.map(LINEAR, shape.physical, {
          dirFlags: P | (c.dirRw ? RW : 0) | (c.dirUs ? US : 0),
          leafFlags: P | (c.leafRw ? RW : 0) | (c.leafUs ? US : 0),
          dirXd: c.dirXd,
          leafXd: c.leafXd,
          size: shape.size,
        });
        mem.write8(target, 0xc3);
        mmu.setPaging({
          cr0: PG | 1 | (c.wp ? WP : 0),
          cr3: tables.cr3,
          cr4: shape.cr4,
          efer: shape.efer | (c.nxe ? NXE : 0),
        });
        mmu.flushTlb(true);
        const entries = walkEntries(shape, mem, tables);
        const got = access(c.kind, c.user);
        const want = sdm46(c, wide, hasDirectory(shape));
        const label = JSON.stringify(c);
        expect(got.code, label).toBe(want);
        const leaf = entries[entries.length - 1]!;
        if (want === -1) {
          if (c.kind === 1) expect(mem.read8(target), label).toBe(0x5a);
          else expect(got.value, label).toBe(0xc3);
          // 4.8: A in every entry used; D only in the leaf, only on a write.
          for (const at of entries) expect(mem.read32(at) & A, label).toBe(A);
          expect(mem.read32(leaf) & D, label).toBe(c.kind === 1 ? D : 0);
          for (const at of entries.slice(0, -1)) expect(mem.read32(at) & D, label).toBe(0);
        } else {
          // A faulting access sets no flag and writes nothing.
          for (const at of entries) expect(mem.read32(at) & (A | D), label).toBe(0);
          expect(mem.read8(target), label).toBe(0xc3);
        }
        checked++;
      }
      expect(checked).toBe(cases.length);
    });
  }
});

describe("SDM 4.6/4.7: literal rows", () => {
  // [description, dir flags, leaf flags, CR0.WP, user, kind, expected error code or -1]
  const rows: [string, number, number, boolean, boolean, 0 | 1 | 2, number][] = [
    ["supervisor write to read-only page, WP=0: allowed", P | RW | US, P | US, false, false, 1, -1],
    ["supervisor write to read-only page, WP=1: #PF P|W", P | RW | US, P | US, true, false, 1, 0x3],
    [
      "supervisor write to read-only directory, WP=1: #PF P|W",
      P | US,
      P | RW | US,
      true,
      false,
      1,
      0x3,
    ],
    ["user read of supervisor page: #PF P|U", P | RW | US, P | RW, false, true, 0, 0x5],
    ["user read under supervisor directory: #PF P|U", P | RW, P | RW | US, false, true, 0, 0x5],
    [
      "user write to read-only user page, WP=0: #PF P|W|U",
      P | RW | US,
      P | US,
      false,
      true,
      1,
      0x7,
    ],
    [
      "user fetch from supervisor page (32-bit: no I/D): #PF P|U",
      P | RW | US,
      P | RW,
      false,
      true,
      2,
      0x5,
    ],
    ["supervisor read of user page: allowed", P | RW | US, P | RW | US, true, false, 0, -1],
    ["not-present leaf, user write: #PF W|U", P | RW | US, 0, false, true, 1, 0x6],
    ["not-present directory, supervisor read: #PF 0", 0, P, false, false, 0, 0x0],
  ];
  for (const [name, dir, leaf, wp, user, kind, code] of rows) {
    it(name, () => {
      const shape = SHAPES[0]!;
      const { mmu, tables, access } = setup(shape);
      tables.map(LINEAR, shape.physical, { dirFlags: dir, leafFlags: leaf });
      mmu.setPaging({ cr0: PG | 1 | (wp ? WP : 0), cr3: tables.cr3, cr4: 0, efer: 0 });
      expect(access(kind, user).code).toBe(code);
    });
  }

  it("PAE + NXE: fetch from an XD page faults with I/D (0x11 supervisor, 0x15 user)", () => {
    const shape = SHAPES[3]!;
    const { mmu, tables, access } = setup(shape);
    tables.map(LINEAR, shape.physical, {
      dirFlags: P | RW | US,
      leafFlags: P | RW | US,
      leafXd: true,
    });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: NXE });
    expect(access(2, false).code).toBe(0x11);
    expect(access(2, true).code).toBe(0x15);
    expect(access(0, true).code).toBe(-1);
  });
  it("PAE + NXE: a not-present fetch also reports I/D (0x10)", () => {
    const shape = SHAPES[3]!;
    const { mmu, tables, access } = setup(shape);
    tables.map(LINEAR, shape.physical, { dirFlags: P | RW, leafFlags: 0 });
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: NXE });
    expect(access(2, false).code).toBe(0x10);
  });
});

describe("SDM 4.7: reserved-bit faults (RSVD)", () => {
  const cases: [string, number, (t: PageTableBuilder) => void, number, number][] = [
    [
      "PAE, NXE=0: XD set is a reserved bit",
      3,
      (t) => t.map(LINEAR, 0x30_0000, { dirFlags: P | RW, leafFlags: P | RW, leafXd: true }),
      0,
      0x9,
    ],
    [
      "PAE: physical-address bit 36 (>= MAXPHYADDR) in a PTE",
      3,
      (t) => t.map(LINEAR, 0x30_0000, { dirFlags: P | RW, leafFlags: P | RW, leafHigh: 0x10 }),
      0,
      0x9,
    ],
    [
      "PAE 2M: PDE bit 13 is reserved",
      4,
      (t) => t.map(LINEAR, 0x40_2000, { dirFlags: P | RW, leafFlags: P | RW, size: 0x20_0000 }),
      0,
      0x9,
    ],
    [
      "4-level 1G: PDPTE bit 13 is reserved (write access: P|W|RSVD)",
      7,
      (t) => t.map(LINEAR, 0x2000, { dirFlags: P | RW, leafFlags: P | RW, size: 0x4000_0000 }),
      1,
      0xb,
    ],
    [
      "32-bit PSE: 4 MiB PDE bit 21 is reserved (MAXPHYADDR 36)",
      2,
      (t) =>
        t.map(LINEAR, 0x60_0000 - 0x20_0000, {
          dirFlags: P | RW,
          leafFlags: P | RW,
          size: 0x40_0000,
        }),
      0,
      0x9,
    ],
  ];
  for (const [name, shapeIndex, build, kind, code] of cases) {
    it(name, () => {
      const shape = SHAPES[shapeIndex]!;
      const { mem, mmu, tables, access } = setup(shape);
      build(tables);
      if (shapeIndex === 2) {
        // Set PDE bit 21 by hand (the builder aligns the 4 MiB frame).
        const at = tables.leafAddress(LINEAR, 0x40_0000);
        mem.write32(at, mem.read32(at) | (1 << 21));
      }
      mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: shape.cr4, efer: shape.efer });
      expect(access(kind, false).code).toBe(code);
    });
  }
  it("4-level: PS in a PML4E is reserved", () => {
    const shape = SHAPES[5]!;
    const { mem, mmu, tables, access } = setup(shape);
    tables.map(LINEAR, 0x30_0000, { dirFlags: P | RW, leafFlags: P | RW });
    mem.write32(tables.cr3 + 0, mem.read32(tables.cr3) | 0x80); // LINEAR < 512 GiB: PML4 index 0
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: PAE, efer: LME });
    expect(access(0, true).code).toBe(0xd);
  });
  it("32-bit paging with CR4.PSE=0 ignores PS and walks a page table", () => {
    const shape = SHAPES[0]!;
    const { mem, mmu, tables, access } = setup(shape);
    tables.map(LINEAR, 0x30_0000, { dirFlags: P | RW, leafFlags: P | RW });
    const pde = tables.leafAddress(LINEAR, 0x40_0000);
    mem.write32(pde, mem.read32(pde) | 0x80);
    mem.write8(0x30_0456, 0x77);
    mmu.setPaging({ cr0: PG | 1, cr3: tables.cr3, cr4: 0, efer: 0 });
    expect(access(0, false)).toEqual({ code: -1, value: 0x77 });
  });
});
