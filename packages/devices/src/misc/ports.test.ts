// Port 80h (POST codes), E9h (Bochs/QEMU debug console: readback E9h), 92h (system control
// port A, IBM PS/2 reference and Intel PIIX3 datasheet section "Port 92h": bit 0 fast
// reset on a 0->1 transition, bit 1 A20 gate).
import { FakeDeviceContext } from "@ringvm/bus/testing";
import { describe, expect, it } from "vitest";
import { describeDeviceConformance } from "../../test/conformance";
import { DebugConsole, PostCodePort, SystemControlPortA } from "./index";

describe("port 80h POST codes", () => {
  it("records the last code and calls the host; reads float high", () => {
    const board = new FakeDeviceContext();
    const codes: number[] = [];
    const post = new PostCodePort({ onPostCode: (c) => codes.push(c) });
    post.attach(board);
    board.io.out(0x80, 0x12);
    board.io.out(0x80, 0x1234, 2); // split into 80h (34h) and the unclaimed 81h
    expect(post.lastCode).toBe(0x34);
    expect(codes).toEqual([0x12, 0x34]);
    expect(board.io.in(0x80)).toBe(0xff);
    post.reset("hardware");
    expect(post.lastCode).toBe(0x34);
    post.reset("power-on");
    expect(post.lastCode).toBe(-1);
  });
});

describe("port E9h debug console", () => {
  it("passes bytes to the host and reads back E9h", () => {
    const board = new FakeDeviceContext();
    const out: number[] = [];
    const con = new DebugConsole({ onOutput: (b) => out.push(...b) });
    con.attach(board);
    for (const c of "ok\n") board.io.out(0xe9, c.charCodeAt(0));
    expect(String.fromCharCode(...out)).toBe("ok\n");
    expect(board.io.in(0xe9)).toBe(0xe9);
  });
});

describe("port 92h system control port A", () => {
  it("bit 1 drives the A20 line; bit 0 rising resets, and reads back", () => {
    const board = new FakeDeviceContext();
    const a20: boolean[] = [];
    let resets = 0;
    const port = new SystemControlPortA({
      onA20Change: (on) => a20.push(on),
      onReset: () => resets++,
    });
    port.attach(board);
    port.reset("power-on");
    board.io.out(0x92, board.io.in(0x92) | 0x02);
    expect(port.a20).toBe(true);
    expect(board.io.in(0x92)).toBe(0x02);
    board.io.out(0x92, 0x03);
    board.io.out(0x92, 0x03); // already 1: no second reset
    expect(resets).toBe(1);
    board.io.out(0x92, 0x02);
    board.io.out(0x92, 0x03);
    expect(resets).toBe(2);
    port.reset("hardware"); // the reset bit clears, A20 stays (as QEMU)
    expect(board.io.in(0x92)).toBe(0x02);
    board.io.out(0x92, 0x00);
    expect(a20).toEqual([true, false]);
  });
});

describeDeviceConformance({
  create: () => new PostCodePort(),
  exercise: (_d, b) => b.io.out(0x80, 0xaa),
});
describeDeviceConformance({
  create: () => new DebugConsole(),
  exercise: (_d, b) => b.io.out(0xe9, 0x41),
});
describeDeviceConformance({
  create: () => new SystemControlPortA(),
  exercise: (_d, b) => b.io.out(0x92, 0x02),
});
