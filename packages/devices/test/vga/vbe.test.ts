// Bochs VBE DISPI (ports 1CEh/1CFh) as SeaBIOS' vgabios (bochsvga.c) and Linux' bochs-drm
// drive it: version handshake, capabilities, mode set with the linear framebuffer, banks,
// virtual width and panning. Behaviour per Bochs vbe.h and QEMU vbe_ioport_write_data.
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { PciBus } from "@ringvm/devices/pci";
import { STDVGA_PCI, VgaDevice, VgaRenderer } from "@ringvm/devices/vga";
import { describe, expect, it } from "vitest";
import { pixel, setup } from "./vga-bios";

function dispi(board: FakeDeviceContext, index: number, value?: number): number {
  board.io.out(0x1ce, index, 2);
  if (value !== undefined) board.io.out(0x1cf, value, 2);
  return board.io.in(0x1cf, 2);
}

/**
 * The sequence of bochs_hw_setmode / bochsvga_set_mode, after the attribute controller's
 * PAS bit was set (as the VGA BIOS leaves it; QEMU too shows nothing while PAS is clear).
 */
function setVbeMode(
  board: FakeDeviceContext,
  x: number,
  y: number,
  bpp: number,
  enable = 0x41,
): void {
  board.io.out(0x3c2, 0x63);
  board.io.in(0x3da);
  board.io.out(0x3c0, 0x20);
  dispi(board, 4, 0);
  dispi(board, 3, bpp);
  dispi(board, 1, x);
  dispi(board, 2, y);
  dispi(board, 5, 0);
  dispi(board, 4, enable);
}

describe("Bochs VBE (DISPI)", () => {
  it("ID handshake: B0C0-B0C5 read back, other values ignored; video memory in 64 KiB units", () => {
    const { board } = setup(16);
    expect(dispi(board, 0)).toBe(0xb0c5);
    expect(dispi(board, 0, 0xb0c0)).toBe(0xb0c0);
    expect(dispi(board, 0, 0xb0c4)).toBe(0xb0c4);
    expect(dispi(board, 0, 0x1234)).toBe(0xb0c4);
    expect(dispi(board, 0x0a)).toBe(256);
  });

  it("GETCAPS makes XRES/YRES/BPP read the maxima", () => {
    const { board } = setup();
    dispi(board, 4, 0x02);
    expect([dispi(board, 1), dispi(board, 2), dispi(board, 3)]).toEqual([2560, 1600, 32]);
    dispi(board, 4, 0x00);
  });

  it("800x600x32 with LFB: geometry, virtual height, pixels through the framebuffer", () => {
    const { vga, board } = setup();
    setVbeMode(board, 800, 600, 32);
    expect(vga.linearFramebufferBase).toBe(0xe0000000);
    expect([dispi(board, 1), dispi(board, 2), dispi(board, 3), dispi(board, 6)]).toEqual([
      800, 600, 32, 800,
    ]);
    expect(dispi(board, 7)).toBe(Math.floor((16 << 20) / (800 * 4)));
    board.io.writeMmio(0xe0000000 + 4, 0x00112233, 4); // pixel (1,0): B=33 G=22 R=11
    board.io.writeMmio(0xe0000000 + 800 * 4 * 2, 0x00ff0000, 4); // pixel (0,2): red
    const r = new VgaRenderer(vga);
    expect(r.size()).toEqual({ width: 800, height: 600 });
    const frame = new Uint8ClampedArray(800 * 600 * 4);
    r.render(frame, 0);
    expect(pixel(frame, 800, 1, 0)).toEqual([0x11, 0x22, 0x33, 0xff]);
    expect(pixel(frame, 800, 0, 2)).toEqual([0xff, 0, 0, 0xff]);
    expect(board.io.readMmio(0xe0000000 + 4, 4)).toBe(0x00112233);
  });

  it("16, 15, 24 and 8 bpp pixel formats", () => {
    const cases: [number, number, number, number[]][] = [
      [16, 2, 0xf81f, [0xff, 0x00, 0xff, 0xff]], // RGB565 magenta, top bits repeated
      [15, 2, 0x03e0, [0x00, 0xf8, 0x00, 0xff]], // RGB555 green: low bits zero (as QEMU)
      [16, 2, 0x0821, [0x08, 0x04, 0x08, 0xff]], // 1/1/1: 5-bit 1 -> 08h, 6-bit 1 -> 04h
      [24, 3, 0x123456, [0x12, 0x34, 0x56, 0xff]],
    ];
    for (const [bpp, bytes, value, rgba] of cases) {
      const { vga, board } = setup();
      setVbeMode(board, 640, 480, bpp);
      for (let i = 0; i < bytes; i++)
        board.io.writeMmio(0xe0000000 + bytes * 3 + i, (value >> (8 * i)) & 0xff, 1);
      const frame = new Uint8ClampedArray(640 * 480 * 4);
      new VgaRenderer(vga).render(frame, 0);
      expect(pixel(frame, 640, 3, 0)).toEqual(rgba);
    }
    const { vga, board } = setup();
    setVbeMode(board, 640, 480, 8);
    board.io.out(0x3c8, 5);
    for (const v of [0x3f, 0x20, 0x01]) board.io.out(0x3c9, v);
    board.io.writeMmio(0xe0000000 + 640 + 7, 5, 1);
    const frame = new Uint8ClampedArray(640 * 480 * 4);
    new VgaRenderer(vga).render(frame, 0);
    expect(pixel(frame, 640, 7, 1)).toEqual([0xff, 0x80, 0x07, 0xff]);
  });

  it("8-bit DAC flag keeps full 8-bit palette entries", () => {
    const { vga, board } = setup();
    setVbeMode(board, 640, 480, 8, 0x61);
    board.io.out(0x3c8, 5);
    for (const v of [0xfe, 0x80, 0x01]) board.io.out(0x3c9, v);
    board.io.writeMmio(0xe0000000, 5, 1);
    const frame = new Uint8ClampedArray(640 * 480 * 4);
    new VgaRenderer(vga).render(frame, 0);
    expect(pixel(frame, 640, 0, 0)).toEqual([0xfe, 0x80, 0x01, 0xff]);
  });

  it("banked window: BANK selects which 64 KiB of the framebuffer A0000h shows", () => {
    const { vga, board } = setup();
    setVbeMode(board, 640, 480, 8, 0x01);
    dispi(board, 5, 3);
    board.io.writeMmio(0xa0010, 0x77, 1);
    expect(vga.vram[3 * 0x10000 + 0x10]).toBe(0x77);
    expect(board.io.readMmio(0xa0010, 1)).toBe(0x77);
    dispi(board, 5, 0);
    expect(board.io.readMmio(0xa0010, 1)).toBe(0);
    // B0000h-BFFFFh is outside the 64 KiB window of a VBE mode.
    expect(board.io.readMmio(0xb0000, 1)).toBe(0xff);
  });

  it("enable clears the frame unless NOCLEARMEM; geometry is sanitised at enable", () => {
    const { vga, board } = setup();
    vga.vram[100] = 9;
    setVbeMode(board, 640, 480, 8, 0xc1);
    expect(vga.vram[100]).toBe(9);
    dispi(board, 4, 0);
    setVbeMode(board, 803, 480, 7, 0x41); // xres rounded down to 8, unknown depth -> 8
    expect(vga.vram[100]).toBe(0);
    expect([dispi(board, 1), dispi(board, 3)]).toEqual([800, 8]);
  });

  it("virtual width and X/Y offset pan the display start", () => {
    const { vga, board } = setup();
    setVbeMode(board, 640, 480, 32);
    dispi(board, 6, 1024);
    dispi(board, 9, 10);
    dispi(board, 8, 8);
    expect(dispi(board, 6)).toBe(1024);
    board.io.writeMmio(0xe0000000 + (10 * 1024 + 8) * 4, 0x0000ff, 4);
    const frame = new Uint8ClampedArray(640 * 480 * 4);
    new VgaRenderer(vga).render(frame, 0);
    expect(pixel(frame, 640, 0, 0)).toEqual([0, 0, 0xff, 0xff]);
  });

  it("the framebuffer follows BAR0: mapLinearFramebuffer moves and removes it", () => {
    const { vga, board } = setup();
    expect(STDVGA_PCI).toMatchObject({ vendorId: 0x1234, deviceId: 0x1111, classCode: 0x03 });
    vga.mapLinearFramebuffer(0xfd000000);
    board.io.writeMmio(0xfd000000, 0xab, 1);
    expect(vga.vram[0]).toBe(0xab);
    expect(board.io.readMmio(0xe0000000, 1)).toBe(0xff);
    vga.mapLinearFramebuffer(-1);
    expect(board.io.readMmio(0xfd000000, 1)).toBe(0xff);
  });

  it("disabling VBE returns the window to VGA addressing", () => {
    const { board } = setup();
    setVbeMode(board, 640, 480, 8, 0x01);
    dispi(board, 5, 2);
    dispi(board, 4, 0);
    board.io.writeMmio(0xa0000, 0x11, 1);
    dispi(board, 5, 0);
    expect(board.io.readMmio(0xa0000, 1)).toBe(0x11);
  });
});

describe("stdvga as a PCI function", () => {
  it("firmware sizing and programming BAR0 places the framebuffer", () => {
    const board = new FakeDeviceContext();
    board.io.isRecording = false;
    const vga = new VgaDevice({ vramMiB: 16, lfbBase: null });
    const bus = new PciBus();
    bus.attach(board);
    vga.attach(board);
    bus.register(2, 0, vga.pciFunctionSpec());
    const config = (offset: number, value?: number) => {
      board.io.out(0xcf8, (0x80000000 | (2 << 11) | offset) >>> 0, 4);
      if (value !== undefined) board.io.out(0xcfc, value, 4);
      return board.io.in(0xcfc, 4) >>> 0;
    };
    expect(config(0x00)).toBe(0x11111234);
    expect(config(0x08) >>> 8).toBe(0x030000);
    // Sizing: all ones reads back the size mask with the prefetchable memory flag.
    expect(config(0x10, 0xffffffff)).toBe((0xff000000 | 0x08) >>> 0);
    config(0x10, 0xfd000000);
    config(0x04, 0x0002); // memory decode on
    expect(vga.linearFramebufferBase).toBe(0xfd000000);
    board.io.writeMmio(0xfd000010, 0x5a, 1);
    expect(vga.vram[0x10]).toBe(0x5a);
    config(0x04, 0x0000); // decode off: the framebuffer disappears
    expect(vga.linearFramebufferBase).toBe(-1);
  });
});

describe("framebuffer placement errors", () => {
  it("a BAR over another mapping leaves the framebuffer unmapped", () => {
    const { vga, board } = setup();
    board.io.mapMmio(
      0xfe000000,
      0x1000,
      { read: () => 0, write: () => undefined },
      { owner: "other" },
    );
    expect(() => vga.mapLinearFramebuffer(0xfe000000)).toThrow(/overlaps/);
    expect(vga.linearFramebufferBase).toBe(-1);
    vga.mapLinearFramebuffer(0xfd000000);
    expect(vga.linearFramebufferBase).toBe(0xfd000000);
  });
});
