// Local APIC behaviour from the Intel SDM vol. 3A chapter 10: 10.4.8 version register,
// 10.5.1 LVT, 10.5.3 error handling, 10.5.4 APIC timer (figure 10-10 divide configuration),
// 10.6.1 ICR, 10.6.2 destinations, 10.8.3 TPR/PPR, 10.8.4 INTA and IRR/ISR, 10.8.5 EOI,
// 10.9 spurious interrupt.
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { LocalApic } from "./index";
import type { LocalApicOptions } from "./index";

const BASE = 0xfee0_0000;

function setup(options: LocalApicOptions = {}) {
  const context = new FakeDeviceContext();
  const eois: number[] = [];
  let nmis = 0;
  const outputs: boolean[] = [];
  const pic = { pending: [] as number[] };
  const apic = new LocalApic({
    extInt: {
      hasInterrupt: () => pic.pending.length > 0,
      acknowledge: () => pic.pending.shift() ?? 0x0f,
    },
    onEoi: (v) => eois.push(v),
    onNmi: () => nmis++,
    onOutputChange: (on) => outputs.push(on),
    ...options,
  });
  apic.attach(context);
  apic.reset("power-on");
  const rd = (offset: number) => context.io.readMmio(BASE + offset, 4);
  const wr = (offset: number, value: number) => context.io.writeMmio(BASE + offset, value, 4);
  const enable = () => wr(0xf0, 0x1ff);
  const selfIpi = (vector: number, level = false) =>
    wr(0x300, 0x4_0000 | vector | (level ? 0x8000 : 0));
  return { context, apic, rd, wr, enable, selfIpi, eois, nmis: () => nmis, outputs, pic };
}

describe("registers at reset (SDM 10.4.7.1, 10.4.8)", () => {
  it("version 14h with max LVT entry 5; ID; SVR FFh; DFR all ones; LVTs masked", () => {
    const { rd } = setup({ id: 2 });
    expect(rd(0x30)).toBe(0x0005_0014);
    expect(rd(0x20)).toBe(0x0200_0000);
    expect(rd(0xf0)).toBe(0xff);
    expect(rd(0xe0)).toBe(0xffff_ffff);
    expect(rd(0x80)).toBe(0);
    expect(rd(0x320)).toBe(0x1_0000);
    expect(rd(0x360)).toBe(0x1_0000);
    expect(rd(0x370)).toBe(0x1_0000);
    expect(rd(0x350)).toBe(0x1_0000);
  });

  it("while software-disabled, LVT mask bits stay set; clearing SVR bit 8 masks all", () => {
    const { rd, wr, enable } = setup();
    wr(0x320, 0x30);
    expect(rd(0x320)).toBe(0x1_0030);
    enable();
    wr(0x320, 0x30);
    wr(0x350, 0x700);
    expect(rd(0x320)).toBe(0x30);
    wr(0xf0, 0xff);
    expect(rd(0x320)).toBe(0x1_0030);
    expect(rd(0x350)).toBe(0x1_0700);
  });

  it("reserved LVT bits read 0; remote IRR and delivery status are read-only", () => {
    const { rd, wr, enable } = setup();
    enable();
    wr(0x350, 0xffff_ffff);
    expect(rd(0x350)).toBe(0x1_a7ff);
    wr(0x320, 0xffff_ffff);
    expect(rd(0x320)).toBe(0x7_00ff);
    wr(0x370, 0xffff_ffff);
    expect(rd(0x370)).toBe(0x1_00ff);
  });
});

describe("fixed interrupts, priorities and EOI (SDM 10.8)", () => {
  it("a self IPI sets IRR; INTA moves it to ISR; EOI clears ISR", () => {
    const { apic, rd, wr, enable, selfIpi, outputs } = setup();
    enable();
    selfIpi(0x41);
    expect(rd(0x200 + 0x20)).toBe(0x2); // IRR bit 65 in the third dword
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x41);
    expect(rd(0x220)).toBe(0);
    expect(rd(0x120)).toBe(0x2);
    expect(apic.hasInterrupt()).toBe(false);
    wr(0xb0, 0);
    expect(rd(0x120)).toBe(0);
    expect(outputs).toEqual([true, false]);
  });

  it("TPR blocks vectors whose class is not above it", () => {
    const { apic, wr, enable, selfIpi } = setup();
    enable();
    wr(0x80, 0x50);
    selfIpi(0x45);
    selfIpi(0x5f);
    expect(apic.hasInterrupt()).toBe(false);
    selfIpi(0x61);
    expect(apic.acknowledge()).toBe(0x61);
    wr(0xb0, 0);
    wr(0x80, 0x00);
    expect(apic.acknowledge()).toBe(0x5f);
  });

  it("PPR is TPR or the in-service class, whichever is higher", () => {
    const { apic, rd, wr, enable, selfIpi } = setup();
    enable();
    wr(0x80, 0x23);
    expect(rd(0xa0)).toBe(0x23);
    selfIpi(0x61);
    apic.acknowledge();
    expect(rd(0xa0)).toBe(0x60);
    wr(0x80, 0x75);
    expect(rd(0xa0)).toBe(0x75);
  });

  it("an in-service vector holds off its own class, not a higher one", () => {
    const { apic, wr, enable, selfIpi } = setup();
    enable();
    selfIpi(0x31);
    apic.acknowledge();
    selfIpi(0x32);
    expect(apic.hasInterrupt()).toBe(false);
    selfIpi(0x41);
    expect(apic.acknowledge()).toBe(0x41);
    wr(0xb0, 0); // EOI 41h
    expect(apic.hasInterrupt()).toBe(false);
    wr(0xb0, 0); // EOI 31h
    expect(apic.acknowledge()).toBe(0x32);
  });

  it("EOI of a level-triggered vector (TMR set) is broadcast; edge is not", () => {
    const { apic, rd, wr, enable, eois } = setup();
    enable();
    apic.deliver(0x51, 0, true);
    expect(rd(0x180 + 0x20)).toBe(0x2_0000);
    apic.acknowledge();
    wr(0xb0, 0);
    expect(eois).toEqual([0x51]);
    apic.deliver(0x52, 0, false);
    apic.acknowledge();
    wr(0xb0, 0);
    expect(eois).toEqual([0x51]);
  });

  it("a software-disabled APIC holds IRR (no INTR) until enabled", () => {
    const { apic, enable } = setup();
    apic.deliver(0x40, 0, false);
    expect(apic.hasInterrupt()).toBe(false);
    enable();
    expect(apic.acknowledge()).toBe(0x40);
  });

  it("INTA with nothing deliverable returns the spurious vector", () => {
    const { apic, wr } = setup();
    wr(0xf0, 0x1e7);
    expect(apic.acknowledge()).toBe(0xe7);
  });
});

describe("errors (SDM 10.5.3)", () => {
  it("send illegal vector, receive illegal vector, illegal register; ESR latches on write", () => {
    const { apic, rd, wr, enable } = setup();
    enable();
    wr(0x300, 0x4_0005); // fixed self IPI with vector 5
    expect(rd(0x280)).toBe(0);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0x20);
    apic.deliver(0x03, 0, false);
    wr(0x30, 1); // version is read-only
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0xc0);
    wr(0x280, 0);
    expect(rd(0x280)).toBe(0);
  });

  it("an unmasked LVT error entry raises its vector", () => {
    const { apic, wr, enable } = setup();
    enable();
    wr(0x370, 0xfe);
    wr(0x300, 0x4_0001);
    expect(apic.acknowledge()).toBe(0xfe);
  });
});

describe("timer (SDM 10.5.4)", () => {
  it("divide configuration: 0,1,2,3,8,9,Ah,Bh = 2,4,8,16,32,64,128,1", () => {
    const { rd, wr, context } = setup();
    const periods: number[] = [];
    for (const dcr of [0, 1, 2, 3, 8, 9, 0xa, 0xb]) {
      wr(0x3e0, dcr);
      wr(0x380, 1000);
      context.advance(100);
      periods.push(1000 - rd(0x390)); // ticks elapsed in 100 ns at 1 GHz / divisor
    }
    expect(periods).toEqual([50, 25, 12, 6, 3, 1, 0, 100]);
  });

  it("one-shot counts down, interrupts once at zero and stays at zero", () => {
    const { apic, rd, wr, enable, context } = setup({ busFrequencyHz: 100_000_000 });
    enable();
    wr(0x320, 0x40);
    wr(0x3e0, 0xb); // divide by 1: 10 ns per count
    wr(0x380, 1000);
    context.advance(4000);
    expect(rd(0x390)).toBe(600);
    context.advance(5999);
    expect(apic.hasInterrupt()).toBe(false);
    context.advance(1);
    expect(context.scheduler.fired).toEqual([10_000]);
    expect(apic.acknowledge()).toBe(0x40);
    context.advance(100_000);
    expect(rd(0x390)).toBe(0);
    expect(context.scheduler.fired).toEqual([10_000]);
  });

  it("periodic reloads and interrupts every period", () => {
    const { rd, wr, enable, context } = setup();
    enable();
    wr(0x320, 0x2_0040);
    wr(0x3e0, 0x0); // divide by 2
    wr(0x380, 500_000); // 1 ms period
    context.advance(1_250_000);
    expect(rd(0x390)).toBe(375_000);
    context.advance(2_000_000);
    expect(context.scheduler.fired).toEqual([1_000_000, 2_000_000, 3_000_000]);
  });

  it("periodic interrupts are spaced at least 200 us apart (host protection, as KVM)", () => {
    const { wr, enable, context } = setup();
    enable();
    wr(0x320, 0x2_0040);
    wr(0x3e0, 0x0);
    wr(0x380, 100); // 200 ns period
    context.advance(450_000);
    expect(context.scheduler.fired).toEqual([200, 200_200, 400_200]);
  });

  it("a masked timer counts without interrupting; initial count 0 stops it", () => {
    const { apic, rd, wr, enable, context } = setup();
    enable();
    wr(0x320, 0x1_0040);
    wr(0x3e0, 0xb);
    wr(0x380, 100);
    context.advance(150);
    expect(apic.hasInterrupt()).toBe(false);
    wr(0x320, 0x2_0040);
    wr(0x380, 100);
    context.advance(50);
    wr(0x380, 0);
    context.advance(1000);
    expect(rd(0x390)).toBe(0);
    expect(apic.hasInterrupt()).toBe(false);
  });
});

describe("TSC-deadline timer (SDM 10.5.4.1)", () => {
  /** Enabled, the LVT timer in TSC-deadline mode (bits 18:17 = 10b) with vector 40h. */
  function deadlineMode() {
    const t = setup();
    t.enable();
    t.wr(0x320, 0x4_0040);
    return t;
  }

  it("a non-zero IA32_TSC_DEADLINE arms one interrupt at its time; then it reads 0", () => {
    const { apic, context } = deadlineMode();
    // TSC 5007 at guest time 5000 (a TSC offset of 7).
    apic.writeTscDeadline(5007, 5000);
    expect(apic.readTscDeadline()).toBe(5007);
    context.advance(4999);
    expect(apic.hasInterrupt()).toBe(false);
    context.advance(1);
    expect(context.scheduler.fired).toEqual([5000]);
    expect(apic.acknowledge()).toBe(0x40);
    expect(apic.readTscDeadline()).toBe(0);
    context.advance(100_000);
    expect(context.scheduler.fired).toEqual([5000]);
  });

  it("0 disarms; a new value replaces the old; a deadline already passed interrupts at once", () => {
    const { apic, context } = deadlineMode();
    apic.writeTscDeadline(1000, 1000);
    apic.writeTscDeadline(0, 0);
    context.advance(2000);
    expect(context.scheduler.fired).toEqual([]);
    apic.writeTscDeadline(4000, 4000);
    apic.writeTscDeadline(3000, 3000);
    context.advance(2000);
    expect(context.scheduler.fired).toEqual([3000]);
    apic.acknowledge();
    apic.writeTscDeadline(10, 10);
    context.advance(0);
    expect(context.scheduler.fired).toEqual([3000, 4000]);
  });

  it("initial-count writes are ignored and the current count reads 0", () => {
    const { apic, rd, wr, context } = deadlineMode();
    wr(0x3e0, 0xb);
    wr(0x380, 100);
    expect(rd(0x380)).toBe(0);
    apic.writeTscDeadline(500, 500);
    expect(rd(0x390)).toBe(0);
    context.advance(200);
    expect(context.scheduler.fired).toEqual([]);
    context.advance(300);
    expect(context.scheduler.fired).toEqual([500]);
  });

  it("outside the mode the MSR reads 0 and writes are ignored; a change of mode disarms", () => {
    const { apic, wr, enable, context } = setup();
    enable();
    wr(0x320, 0x40); // one-shot
    apic.writeTscDeadline(500, 500);
    expect(apic.readTscDeadline()).toBe(0);
    context.advance(1000);
    expect(context.scheduler.fired).toEqual([]);
    // Armed in TSC-deadline mode, then back to one-shot: disarmed, and back again: still 0.
    wr(0x320, 0x4_0040);
    apic.writeTscDeadline(2000, 2000);
    wr(0x320, 0x40);
    wr(0x320, 0x4_0040);
    expect(apic.readTscDeadline()).toBe(0);
    context.advance(5000);
    expect(context.scheduler.fired).toEqual([]);
    // A one-shot count running when TSC-deadline mode is selected stops too.
    wr(0x320, 0x40);
    wr(0x3e0, 0xb);
    wr(0x380, 1000);
    wr(0x320, 0x4_0040);
    context.advance(5000);
    expect(context.scheduler.fired).toEqual([]);
  });

  it("a snapshot keeps an armed deadline", () => {
    const { apic, context } = deadlineMode();
    apic.writeTscDeadline(8000, 8000);
    const state = apic.saveState();
    const other = setup();
    other.apic.loadState(state);
    expect(other.apic.readTscDeadline()).toBe(8000);
    other.context.advance(8000);
    expect(other.context.scheduler.fired).toEqual([8000]);
    expect(other.apic.acknowledge()).toBe(0x40);
    context.advance(8000);
    expect(context.scheduler.fired).toEqual([8000]);
  });
});

describe("LINT0/LINT1 and ICR destinations (SDM 10.5.1, 10.6.2)", () => {
  it("after reset (software-disabled) the PIC passes; enabled, only LINT0 ExtINT passes it", () => {
    const { apic, wr, enable, pic } = setup();
    pic.pending.push(0x08);
    expect(apic.hasInterrupt()).toBe(true);
    expect(apic.acknowledge()).toBe(0x08);
    enable(); // LINT0 is still masked from reset
    pic.pending.push(0x09);
    expect(apic.hasInterrupt()).toBe(false);
    wr(0x350, 0x8700); // what SeaBIOS writes: ExtINT, level
    expect(apic.acknowledge()).toBe(0x09);
    wr(0x350, 0x1_8700);
    pic.pending.push(0x0a);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it("a globally disabled APIC (IA32_APIC_BASE bit 11 clear) makes LINT0 plain INTR", () => {
    const { apic, wr, enable, pic, context } = setup();
    enable();
    wr(0x350, 0x1_0700);
    apic.setBaseMsr(0xfee0_0000);
    expect(apic.getBaseMsr()).toBe(0xfee0_0100);
    pic.pending.push(0x20);
    expect(apic.acknowledge()).toBe(0x20);
    expect(context.io.readMmio(BASE + 0x30, 4)).toBe(0xffff_ffff); // unmapped
  });

  it("IA32_APIC_BASE moves the register page", () => {
    const { apic, context } = setup();
    apic.setBaseMsr(0xfed0_0800);
    expect(context.io.readMmio(0xfed0_0030, 4)).toBe(0x0005_0014);
  });

  it("LINT1 programmed as NMI signals an NMI on a rising edge", () => {
    const { apic, wr, enable, nmis } = setup();
    enable();
    wr(0x360, 0x400);
    apic.setLint1(true);
    apic.setLint1(true);
    apic.setLint1(false);
    apic.setLint1(true);
    expect(nmis()).toBe(2);
  });

  it("physical and flat logical destinations; all-excluding-self reaches nobody", () => {
    const { apic, wr, enable } = setup({ id: 3 });
    enable();
    wr(0xd0, 0x0400_0000); // logical ID bit 2
    wr(0x310, 0x0300_0000);
    wr(0x300, 0x50); // physical dest 3
    expect(apic.acknowledge()).toBe(0x50);
    wr(0xb0, 0);
    wr(0x310, 0x0200_0000);
    wr(0x300, 0x51); // physical dest 2: not us
    wr(0x310, 0x0600_0000);
    wr(0x300, 0x852); // logical 06h & 04h
    wr(0x310, 0x0100_0000);
    wr(0x300, 0x853); // logical 01h: not us
    wr(0x300, 0xc_0054); // all excluding self
    expect(apic.acknowledge()).toBe(0x52);
    expect(apic.hasInterrupt()).toBe(false);
  });

  it("an NMI IPI to self reaches onNmi", () => {
    const { wr, enable, nmis } = setup();
    enable();
    wr(0x300, 0x4_0400);
    expect(nmis()).toBe(1);
  });
});

describe("snapshots", () => {
  it("restores pending vectors and a running timer", () => {
    const a = setup();
    a.enable();
    a.wr(0x320, 0x2_0040);
    a.wr(0x3e0, 0xb);
    a.wr(0x380, 1000);
    a.selfIpi(0x61);
    a.context.advance(300);
    const saved = JSON.parse(JSON.stringify(a.apic.saveState())) as Record<string, unknown>;
    const b = setup();
    b.context.advance(300);
    b.apic.loadState(saved);
    expect(b.rd(0x390)).toBe(700);
    expect(b.apic.acknowledge()).toBe(0x61);
    b.wr(0xb0, 0);
    b.context.advance(700);
    expect(b.apic.acknowledge()).toBe(0x40);
  });
});
