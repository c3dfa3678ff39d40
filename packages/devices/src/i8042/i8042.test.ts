// i8042 controller, PS/2 keyboard and PS/2 mouse. Expected values come from the IBM PC AT
// Technical Reference ("Keyboard controller": status bits, command byte, commands AAh/ABh/
// A9h/D0h/D1h/FxH), the IBM PS/2 Hardware Interface Technical Reference (keyboard commands
// EDh-FFh, mouse commands E6h-FFh, packet format, 2:1 scaling table), the Microsoft
// "Keyboard Scan Code Specification" (set 1 / set 2 codes per key) and the IntelliMouse
// knock sequences Linux psmouse-base.c sends (200/100/80 -> ID 3, 200/200/80 -> ID 4).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { I8042, MOUSE_LEFT, MOUSE_MIDDLE, MOUSE_RIGHT } from "./index";

function setup(options: { translate?: boolean } = {}) {
  const context = new FakeDeviceContext();
  const a20: boolean[] = [];
  let resets = 0;
  const kbc = new I8042({ onA20: (on) => a20.push(on), onReset: () => resets++ });
  kbc.attach(context);
  kbc.reset("power-on");
  const status = () => context.io.in(0x64);
  const cmd = (c: number, data?: number) => {
    context.io.out(0x64, c);
    if (data !== undefined) context.io.out(0x60, data);
  };
  /** Reads every byte the controller has, with its AUX flag. */
  const drain = () => {
    const out: number[] = [];
    for (let i = 0; i < 64 && (status() & 1) !== 0; i++) out.push(context.io.in(0x60));
    return out;
  };
  const drainAux = () => {
    const out: [number, boolean][] = [];
    for (let i = 0; i < 64 && (status() & 1) !== 0; i++) {
      const isAux = (status() & 0x20) !== 0;
      out.push([context.io.in(0x60), isAux]);
    }
    return out;
  };
  const sendKbd = (b: number) => context.io.out(0x60, b);
  const sendAux = (b: number) => cmd(0xd4, b);
  // Controller set up as SeaBIOS leaves it: keyboard interrupt, aux disabled, translation.
  if (options.translate === true) cmd(0x60, 0x61);
  else if (options.translate === false) cmd(0x60, 0x01);
  return {
    context,
    kbc,
    a20,
    resets: () => resets,
    status,
    cmd,
    drain,
    drainAux,
    sendKbd,
    sendAux,
  };
}

describe("controller (AT Technical Reference, keyboard controller)", () => {
  it("power-on status: not inhibited, last write a command, SYS clear", () => {
    const { status } = setup();
    expect(status()).toBe(0x18);
  });

  it("self test AAh returns 55h and sets the system flag", () => {
    const { cmd, drain, status } = setup();
    cmd(0xaa);
    expect(status() & 0x05).toBe(0x05);
    expect(drain()).toEqual([0x55]);
  });

  it("interface tests ABh and A9h return 00h; password test A4h returns F1h", () => {
    const { cmd, drain } = setup();
    cmd(0xab);
    expect(drain()).toEqual([0x00]);
    cmd(0xa9);
    expect(drain()).toEqual([0x00]);
    cmd(0xa4);
    expect(drain()).toEqual([0xf1]);
  });

  it("command byte reads (20h) back what 60h wrote; the SYS flag follows bit 2", () => {
    const { cmd, drain, status } = setup();
    cmd(0x60, 0x65);
    expect(status() & 0x04).toBe(0x04);
    cmd(0x20);
    expect(drain()).toEqual([0x65]);
    cmd(0x60, 0x61);
    expect(status() & 0x04).toBe(0);
  });

  it("A2 status bit tells the last write's port", () => {
    const { context, status } = setup();
    context.io.out(0x60, 0xf4);
    expect(status() & 0x08).toBe(0);
    context.io.out(0x64, 0x20);
    expect(status() & 0x08).toBe(0x08);
  });

  it("A7h/A8h and ADh/AEh set and clear the disable bits (Linux i8042_check_aux)", () => {
    const { cmd, drain } = setup();
    cmd(0xa7);
    cmd(0xad);
    cmd(0x20);
    expect(drain()[0]! & 0x30).toBe(0x30);
    cmd(0xa8);
    cmd(0xae);
    cmd(0x20);
    expect(drain()[0]! & 0x30).toBe(0x00);
  });

  it("output port reads A20 and reset high; D1h drives A20 (Linux a20.c: D1h, DFh)", () => {
    const { cmd, drain, a20, kbc } = setup();
    cmd(0xd0);
    expect(drain()[0]! & 0x03).toBe(0x03);
    cmd(0xd1, 0xdd);
    expect(a20).toEqual([false]);
    expect(kbc.isA20Enabled).toBe(false);
    cmd(0xd1, 0xdf);
    expect(a20).toEqual([false, true]);
    cmd(0xd0);
    expect(drain()[0]! & 0x02).toBe(0x02);
  });

  it("DDh and DFh switch A20 directly", () => {
    const { cmd, a20 } = setup();
    cmd(0xdd);
    cmd(0xdd);
    cmd(0xdf);
    expect(a20).toEqual([false, true]);
  });

  it("FEh pulses the reset line; FFh pulses nothing; D1h with bit 0 clear resets", () => {
    const { cmd, resets } = setup();
    cmd(0xff);
    expect(resets()).toBe(0);
    cmd(0xfe);
    expect(resets()).toBe(1);
    cmd(0xd1, 0x02);
    expect(resets()).toBe(2);
  });

  it("D2h and D3h put a byte in the buffer as keyboard / aux data (loopback)", () => {
    const { cmd, drainAux, context } = setup({ translate: true });
    cmd(0x60, 0x03); // both interrupts, aux enabled
    cmd(0xd3, 0x5a);
    expect(context.irqLine(12).isHigh).toBe(true);
    expect(drainAux()).toEqual([[0x5a, true]]);
    expect(context.irqLine(12).isHigh).toBe(false);
    cmd(0xd2, 0x1c);
    expect(context.irqLine(1).isHigh).toBe(true);
    expect(drainAux()).toEqual([[0x1c, false]]);
  });

  it("IRQ 1 follows the output buffer only with command byte bit 0", () => {
    const { cmd, context, drain } = setup();
    cmd(0x60, 0x00);
    cmd(0xaa);
    expect(context.irqLine(1).isHigh).toBe(false);
    drain();
    cmd(0x60, 0x01);
    cmd(0xaa);
    expect(context.irqLine(1).risingEdges).toBe(1);
    drain();
    expect(context.irqLine(1).isHigh).toBe(false);
  });

  it("each queued byte gives a new IRQ 1 edge after the previous is read", () => {
    const { sendKbd, context, drain } = setup({ translate: false });
    sendKbd(0xff); // FA AA
    expect(drain()).toEqual([0xfa, 0xaa]);
    expect(context.irqLine(1).risingEdges).toBe(2);
  });

  it("reading an empty buffer returns the last byte; unknown commands are ignored", () => {
    const { cmd, drain, context } = setup();
    cmd(0xaa);
    drain();
    expect(context.io.in(0x60)).toBe(0x55);
    expect(() => cmd(0xc7)).not.toThrow();
  });
});

describe("PS/2 keyboard (PS/2 reference, keyboard commands)", () => {
  it("reset FFh answers FAh AAh", () => {
    const { sendKbd, drain } = setup({ translate: false });
    sendKbd(0xff);
    expect(drain()).toEqual([0xfa, 0xaa]);
  });

  it("identify F2h: FAh ABh 83h, translated ABh 41h (what Linux atkbd sees)", () => {
    const raw = setup({ translate: false });
    raw.sendKbd(0xf2);
    expect(raw.drain()).toEqual([0xfa, 0xab, 0x83]);
    const xlat = setup({ translate: true });
    xlat.sendKbd(0xf2);
    expect(xlat.drain()).toEqual([0xfa, 0xab, 0x41]);
  });

  it("F0h 00h reports the set (02h; 41h through translation); F0h 01h selects set 1", () => {
    const raw = setup({ translate: false });
    raw.sendKbd(0xf0);
    raw.sendKbd(0x00);
    expect(raw.drain()).toEqual([0xfa, 0xfa, 0x02]);
    const xlat = setup({ translate: true });
    xlat.sendKbd(0xf0);
    xlat.sendKbd(0x00);
    expect(xlat.drain()).toEqual([0xfa, 0xfa, 0x41]);
    raw.sendKbd(0xf0);
    raw.sendKbd(0x01);
    expect(raw.drain()).toEqual([0xfa, 0xfa]);
    expect(raw.kbc.keyboard.activeSet).toBe(1);
    raw.sendKbd(0xf0);
    raw.sendKbd(0x03); // set 3 is not implemented: refused
    expect(raw.drain()).toEqual([0xfa, 0xfe]);
  });

  it("EDh sets LEDs (two ACKs), EEh echoes, unknown bytes get RESEND", () => {
    const { sendKbd, drain, kbc } = setup({ translate: false });
    const leds: number[] = [];
    kbc.keyboard.onLeds = (l) => leds.push(l);
    sendKbd(0xed);
    sendKbd(0x07);
    sendKbd(0xee);
    sendKbd(0x12);
    expect(drain()).toEqual([0xfa, 0xfa, 0xee, 0xfe]);
    expect(leds).toEqual([7]);
  });

  it("a command byte in place of the LED parameter runs as a command", () => {
    const { sendKbd, drain } = setup({ translate: false });
    sendKbd(0xed);
    sendKbd(0xf2);
    expect(drain()).toEqual([0xfa, 0xfa, 0xab, 0x83]);
  });

  it("set 2 make/break codes pass untranslated", () => {
    const { kbc, drain } = setup({ translate: false });
    kbc.keyboard.pressKey(0x1c); // A
    kbc.keyboard.pressKey(0xe014); // right Ctrl
    expect(drain()).toEqual([0x1c, 0xf0, 0x1c, 0xe0, 0x14, 0xe0, 0xf0, 0x14]);
  });

  it("translation gives set 1: A 1Eh/9Eh, Enter 1Ch, Esc 01h, F7 41h, right Ctrl E0 1D/E0 9D", () => {
    const { kbc, drain } = setup({ translate: true });
    const bytes: number[] = [];
    for (const key of [0x1c, 0x5a, 0x76, 0x83, 0xe014]) {
      kbc.keyboard.pressKey(key);
      bytes.push(...drain());
    }
    expect(bytes).toEqual([0x1e, 0x9e, 0x1c, 0x9c, 0x01, 0x81, 0x41, 0xc1, 0xe0, 0x1d, 0xe0, 0x9d]);
  });

  it("Pause (E1 14 77 E1 F0 14 F0 77) translates to E1 1D 45 E1 9D C5", () => {
    const { kbc, drain } = setup({ translate: true });
    kbc.keyboard.sendScancodes([0xe1, 0x14, 0x77, 0xe1, 0xf0, 0x14, 0xf0, 0x77]);
    expect(drain()).toEqual([0xe1, 0x1d, 0x45, 0xe1, 0x9d, 0xc5]);
  });

  it("with set 1 selected the keyboard itself sends set 1 codes", () => {
    const { kbc, sendKbd, drain } = setup({ translate: false });
    sendKbd(0xf0);
    sendKbd(0x01);
    drain();
    kbc.keyboard.pressKey(0x29); // space
    expect(drain()).toEqual([0x39, 0xb9]);
  });

  it("F5h stops scanning (keys dropped), F4h resumes", () => {
    const { kbc, sendKbd, drain } = setup({ translate: false });
    sendKbd(0xf5);
    kbc.keyboard.pressKey(0x1c);
    expect(drain()).toEqual([0xfa]);
    sendKbd(0xf4);
    kbc.keyboard.pressKey(0x1c);
    expect(drain()).toEqual([0xfa, 0x1c, 0xf0, 0x1c]);
  });

  it("ADh holds keyboard bytes in the keyboard until AEh", () => {
    const { kbc, cmd, drain } = setup({ translate: false });
    cmd(0xad);
    kbc.keyboard.pressKey(0x1c);
    expect(drain()).toEqual([]);
    cmd(0xae);
    expect(drain()).toEqual([0x1c, 0xf0, 0x1c]);
  });

  it("a full 16-byte buffer ends with the overrun code 00h", () => {
    const { kbc, drain } = setup({ translate: false });
    for (let i = 0; i < 20; i++) kbc.keyboard.keyDown(0x1c);
    const bytes = drain();
    // One byte sits in the controller's output buffer, sixteen in the keyboard.
    expect(bytes.length).toBe(17);
    expect(bytes.at(-1)).toBe(0x00);
  });

  it("typematic: default 500 ms delay, 10.9 cps; F3h 00h gives 250 ms and 30 cps", () => {
    const { kbc, drain, context, sendKbd } = setup({ translate: false });
    kbc.keyboard.keyDown(0x1c);
    drain();
    context.advance(499_000_000);
    expect(drain()).toEqual([]);
    context.advance(1_000_000);
    expect(drain()).toEqual([0x1c]);
    context.advance(91_800_000); // (8 + 3) * 2 * 4.17 ms
    expect(drain()).toEqual([0x1c]);
    kbc.keyboard.keyUp(0x1c);
    context.advance(1_000_000_000);
    expect(drain()).toEqual([0xf0, 0x1c]);
    sendKbd(0xf3);
    sendKbd(0x00);
    drain();
    kbc.keyboard.keyDown(0x1c);
    drain();
    context.advance(250_000_000);
    context.advance(33_400_000 * 3); // 8 * 4.17 ms
    expect(drain()).toEqual([0x1c, 0x1c, 0x1c, 0x1c]);
  });
});

describe("PS/2 mouse (PS/2 reference, auxiliary device)", () => {
  function mouse() {
    const s = setup({ translate: true });
    s.cmd(0x60, 0x47); // both interrupts, aux enabled, translation
    return s;
  }

  it("reset FFh answers FAh AAh 00h on the aux port with IRQ 12", () => {
    const { sendAux, drainAux, context } = mouse();
    sendAux(0xff);
    expect(context.irqLine(12).isHigh).toBe(true);
    expect(drainAux()).toEqual([
      [0xfa, true],
      [0xaa, true],
      [0x00, true],
    ]);
  });

  it("the wheel knock 200/100/80 gives ID 3, then 200/200/80 gives ID 4", () => {
    const { sendAux, drain } = mouse();
    const rate = (r: number) => {
      sendAux(0xf3);
      sendAux(r);
    };
    sendAux(0xf2);
    expect(drain()).toEqual([0xfa, 0x00]);
    [200, 100, 80].forEach(rate);
    drain();
    sendAux(0xf2);
    expect(drain()).toEqual([0xfa, 0x03]);
    [200, 200, 80].forEach(rate);
    drain();
    sendAux(0xf2);
    expect(drain()).toEqual([0xfa, 0x04]);
  });

  it("stream packets: sync bit 3, sign bits, Y up positive, buttons", () => {
    const { sendAux, drain, kbc } = mouse();
    sendAux(0xf4);
    expect(drain()).toEqual([0xfa]);
    kbc.mouse.move(5, -3); // right and up on screen
    expect(drain()).toEqual([0x08, 0x05, 0x03]);
    kbc.mouse.move(-5, 10);
    expect(drain()).toEqual([0x38, 0xfb, 0xf6]);
    kbc.mouse.setButtons(MOUSE_LEFT | MOUSE_RIGHT | MOUSE_MIDDLE);
    expect(drain()).toEqual([0x0f, 0x00, 0x00]);
  });

  it("large movement is split over packets of at most 255 counts", () => {
    const { sendAux, drain, kbc } = mouse();
    sendAux(0xf4);
    drain();
    kbc.mouse.move(300, 0);
    expect(drain()).toEqual([0x08, 0xff, 0x00, 0x08, 0x2d, 0x00]);
  });

  it("no packets while reporting is disabled (power-on) or in remote mode; EBh reads one", () => {
    const { sendAux, drain, kbc } = mouse();
    kbc.mouse.move(1, 0);
    expect(drain()).toEqual([]);
    sendAux(0xf0);
    sendAux(0xf4);
    kbc.mouse.move(2, 0);
    expect(drain()).toEqual([0xfa, 0xfa]);
    sendAux(0xeb);
    expect(drain()).toEqual([0xfa, 0x08, 0x02, 0x00]);
  });

  it("wheel mouse packets carry a fourth byte", () => {
    const { sendAux, drain, kbc } = mouse();
    for (const r of [200, 100, 80]) {
      sendAux(0xf3);
      sendAux(r);
    }
    sendAux(0xf4);
    drain();
    kbc.mouse.wheel(-1);
    kbc.mouse.move(1, 1, 2);
    expect(drain()).toEqual([0x08, 0x00, 0x00, 0xff, 0x28, 0x01, 0xff, 0x02]);
  });

  it("status request E9h: mode, enable, scaling, buttons, resolution, rate", () => {
    const { sendAux, drain, kbc } = mouse();
    sendAux(0xe8);
    sendAux(0x03);
    sendAux(0xe7);
    sendAux(0xf3);
    sendAux(40);
    sendAux(0xf4);
    kbc.mouse.setButtons(MOUSE_LEFT);
    drain();
    sendAux(0xe9);
    expect(drain()).toEqual([0xfa, 0x34, 0x03, 40]);
  });

  it("2:1 scaling maps 1,2,3,4,5,6 counts to 1,1,3,6,9,12", () => {
    const { sendAux, drain, kbc } = mouse();
    sendAux(0xe7);
    sendAux(0xf4);
    drain();
    const xs: number[] = [];
    for (const d of [1, 2, 3, 4, 5, 6]) {
      kbc.mouse.move(d, 0);
      xs.push(drain()[1]!);
    }
    expect(xs).toEqual([1, 1, 3, 6, 9, 12]);
  });

  it("wrap mode echoes bytes until ECh", () => {
    const { sendAux, drain } = mouse();
    sendAux(0xee);
    sendAux(0x12);
    sendAux(0xf2);
    sendAux(0xec);
    sendAux(0xf2);
    expect(drain()).toEqual([0xfa, 0x12, 0xf2, 0xfa, 0xfa, 0x00]);
  });

  it("aux data waits while the aux port is disabled (A7h)", () => {
    const { sendAux, drain, cmd } = mouse();
    cmd(0xa7);
    sendAux(0xf2);
    expect(drain()).toEqual([]);
    cmd(0xa8);
    expect(drain()).toEqual([0xfa, 0x00]);
  });
});

describe("snapshots", () => {
  it("restores buffered bytes, command byte and device modes", () => {
    const a = setup({ translate: true });
    a.sendKbd(0xf2);
    a.kbc.mouse.setButtons(1);
    const saved = JSON.parse(JSON.stringify(a.kbc.saveState())) as Record<string, unknown>;
    const b = setup();
    b.kbc.loadState(saved);
    expect(b.drain()).toEqual([0xfa, 0xab, 0x41]);
    expect(b.kbc.commandByte).toBe(0x61);
  });
});
