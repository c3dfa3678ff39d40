// PIIX4 PM function: PCI registers PMBA/PMREGMISC/DEVACTB (82371AB datasheet, function 3
// configuration), the PM I/O block PMSTS/PMEN/PMCNTRL/PMTMR (82371AB "power management I/O
// registers"; ACPI specification 4.8.3.1 PM1 event, 4.8.3.2 PM1 control with SLP_TYP/SLP_EN,
// 4.8.2.1 PM timer at 3.579545 MHz with TMR_STS on bit 23 toggles).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { Piix4Pm } from "./index";

/** ACPI: the PM timer runs at 3.579545 MHz; exact first time (ns) of tick n, in BigInt. */
function nsOfTick(n: number): number {
  return Number((BigInt(n) * 1_000_000_000n + 3_579_544n) / 3_579_545n);
}

function setup() {
  const context = new FakeDeviceContext();
  let offs = 0;
  const sleeps: number[] = [];
  const pm = new Piix4Pm({ onPowerOff: () => offs++, onSleep: (t) => sleeps.push(t) });
  pm.attach(context);
  pm.reset("power-on");
  // SeaBIOS piix4_pm_config_setup: PMBA = 600h | 1, PMREGMISC = 1.
  const enable = (base = 0x600) => {
    pm.pciConfig.write(0x40, 4, base | 1);
    pm.pciConfig.write(0x80, 1, 0x01);
  };
  return { context, pm, enable, offs: () => offs, sleeps };
}

describe("PCI configuration (82371AB function 3)", () => {
  it("PMBA powers on as 1 (I/O indicator) and decodes 64 ports only with PMIOSE", () => {
    const { pm, context } = setup();
    expect(pm.pciConfig.read(0x40, 4)).toBe(0x0000_0001);
    pm.pciConfig.write(0x40, 4, 0xffff_ffff);
    expect(pm.pciConfig.read(0x40, 4)).toBe(0x0000_ffc1);
    pm.pciConfig.write(0x40, 4, 0x601);
    expect(context.io.claimedPorts()).toEqual([]);
    pm.pciConfig.write(0x80, 1, 0xff);
    expect(pm.pciConfig.read(0x80, 1)).toBe(0x01);
    expect(context.io.ownerOf(0x600)).toBe("piix4-pm");
    expect(context.io.ownerOf(0x63f)).toBe("piix4-pm");
    expect(context.io.ownerOf(0x640)).toBeUndefined();
    pm.pciConfig.write(0x40, 4, 0xb001);
    expect(pm.pmBase).toBe(0xb000);
    expect(context.io.ownerOf(0x600)).toBeUndefined();
    pm.pciConfig.write(0x80, 1, 0x00);
    expect(pm.pmBase).toBe(-1);
  });

  it("registers programmed before attach decode once attached", () => {
    const context = new FakeDeviceContext();
    const pm = new Piix4Pm();
    pm.pciConfig.write(0x40, 4, 0x601);
    pm.pciConfig.write(0x80, 1, 0x01);
    pm.attach(context);
    expect(pm.pmBase).toBe(0x600);
    expect(context.io.ownerOf(0x604)).toBe("piix4-pm");
  });

  it("DEVACTB reads APMC_EN set (no SMM: SeaBIOS skips its SMM relocation)", () => {
    const { pm } = setup();
    expect(pm.pciConfig.read(0x58, 4) & (1 << 25)).toBe(1 << 25);
  });

  it("a PM block placed over another device's ports is logged and does not decode", () => {
    const { pm, context } = setup();
    context.io.registerPorts(
      0x600,
      1,
      { read: () => 0, write: () => {} },
      { owner: "x", widths: [1] },
    );
    expect(() => {
      pm.pciConfig.write(0x40, 4, 0x601);
      pm.pciConfig.write(0x80, 1, 0x01);
    }).not.toThrow();
    expect(pm.pmBase).toBe(-1);
    expect(context.log.warnings.length).toBe(1);
  });
});

describe("PM timer (ACPI 4.8.2.1)", () => {
  it("counts 3.579545 MHz ticks from the virtual clock, 24 bits wide", () => {
    const { context, enable } = setup();
    enable();
    expect(context.io.in(0x608, 4)).toBe(0);
    context.advance(1_000_000); // 1 ms
    expect(context.io.in(0x608, 4)).toBe(3579);
    context.clock.set(1_000_000_000);
    expect(context.io.in(0x608, 4)).toBe(3_579_545);
    context.clock.set(5_000_000_000);
    expect(context.io.in(0x608, 4)).toBe((5 * 3_579_545) % 2 ** 24);
    context.clock.set(3_600_000_000_000); // one hour: still exact
    expect(context.io.in(0x608, 4)).toBe((3600 * 3_579_545) % 2 ** 24);
  });

  it("a 32-bit timer (TMR_VAL_EXT) wraps at 2^32 and flags TMROF on bit 31", () => {
    const context = new FakeDeviceContext();
    const pm = new Piix4Pm({ timerBits: 32 });
    pm.attach(context);
    pm.reset("power-on");
    pm.pciConfig.write(0x40, 4, 0x601);
    pm.pciConfig.write(0x80, 1, 0x01);
    context.clock.set(5_000_000_000);
    expect(context.io.in(0x608, 4)).toBe(5 * 3_579_545);
    context.clock.set(3_600_000_000_000);
    expect(context.io.in(0x608, 4)).toBe((3600 * 3_579_545) % 2 ** 32);
    const fresh = new FakeDeviceContext();
    const pm2 = new Piix4Pm({ timerBits: 32 });
    pm2.attach(fresh);
    pm2.reset("power-on");
    pm2.pciConfig.write(0x40, 4, 0x601);
    pm2.pciConfig.write(0x80, 1, 0x01);
    fresh.advance(nsOfTick(2 ** 31) - 1);
    expect(fresh.io.in(0x600, 2) & 1).toBe(0);
    fresh.advance(1);
    expect(fresh.io.in(0x600, 2) & 1).toBe(1);
  });

  it("byte reads of the timer return its bytes", () => {
    const { context, enable } = setup();
    enable();
    context.clock.set(1_000_000_000);
    const bytes = [0x608, 0x609, 0x60a, 0x60b].map((p) => context.io.in(p, 1));
    expect(bytes).toEqual([3_579_545 & 0xff, (3_579_545 >> 8) & 0xff, 3_579_545 >> 16, 0]);
  });

  it("TMROF_STS sets when bit 23 toggles and raises the SCI when enabled", () => {
    const { context, enable } = setup();
    enable();
    context.io.out(0x602, 0x0001, 2); // TMROF_EN
    context.io.out(0x604, 0x0001, 2); // SCI_EN
    const at = nsOfTick(1 << 23);
    context.advance(at - 1);
    expect(context.io.in(0x600, 2) & 1).toBe(0);
    expect(context.irqLine(9).isHigh).toBe(false);
    context.advance(1);
    expect(context.io.in(0x600, 2) & 1).toBe(1);
    expect(context.irqLine(9).isHigh).toBe(true);
    context.io.out(0x600, 0x0001, 2); // write 1 to clear
    expect(context.io.in(0x600, 2) & 1).toBe(0);
    expect(context.irqLine(9).isHigh).toBe(false);
    context.advance(nsOfTick(1 << 24) - at);
    expect(context.irqLine(9).risingEdges).toBe(2);
  });
});

describe("PM1 event and control (ACPI 4.8.3.1, 4.8.3.2)", () => {
  it("PMEN keeps only TMROF, GBL, PWRBTN, RTC; PMCNTRL reads SCI_EN, BRLD, SUS_TYP", () => {
    const { context, enable } = setup();
    enable();
    context.io.out(0x602, 0xffff, 2);
    expect(context.io.in(0x602, 2)).toBe(0x0521);
    context.io.out(0x604, 0x1c07, 2);
    expect(context.io.in(0x604, 2)).toBe(0x1c03);
  });

  it("the power button sets PWRBTN_STS and signals an SCI only when enabled", () => {
    const { context, enable, pm } = setup();
    enable();
    context.io.out(0x604, 0x0001, 2);
    pm.pressPowerButton();
    expect(context.io.in(0x600, 2)).toBe(0x0100);
    expect(context.irqLine(9).isHigh).toBe(false);
    context.io.out(0x602, 0x0100, 2);
    expect(context.irqLine(9).isHigh).toBe(true);
    context.io.out(0x600, 0x0100, 2);
    expect(context.irqLine(9).isHigh).toBe(false);
  });

  it("SLP_EN with SLP_TYP 0 (S5) powers off; other types are reported as sleep", () => {
    const { context, enable, offs, sleeps } = setup();
    enable();
    context.io.out(0x604, 0x0001 | (1 << 10), 2);
    expect(offs()).toBe(0);
    context.io.out(0x604, 0x2001 | (1 << 10), 2);
    expect(sleeps).toEqual([1]);
    context.io.out(0x604, 0x2001, 2); // what Linux acpi_hw_legacy_sleep writes for \_S5 = 0
    expect(offs()).toBe(1);
    expect(context.io.in(0x604, 2) & 0x2000).toBe(0); // SLP_EN is write-only
  });

  it("a byte write of the high control byte alone also starts the sleep", () => {
    const { context, enable, offs } = setup();
    enable();
    context.io.out(0x605, 0x20, 1);
    expect(offs()).toBe(1);
  });
});

describe("snapshots", () => {
  it("restores the mapping and PM registers", () => {
    const a = setup();
    a.enable(0xb000);
    a.context.io.out(0xb002, 0x0100, 2);
    a.context.io.out(0xb004, 0x0001, 2);
    const saved = JSON.parse(JSON.stringify(a.pm.saveState())) as Record<string, unknown>;
    const b = setup();
    b.pm.loadState(saved);
    expect(b.pm.pmBase).toBe(0xb000);
    expect(b.context.io.in(0xb002, 2)).toBe(0x0100);
    expect(b.context.io.in(0xb004, 2)).toBe(0x0001);
  });
});
