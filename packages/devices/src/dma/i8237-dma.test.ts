// 8237A behaviour from the Intel 8237A datasheet (order no. 231466): "Register Description"
// (flip-flop, mode, mask, status), "Transfer Types", "Autoinitialize", and the PC/AT page
// register / cascade wiring (IBM PC AT Technical Reference, "DMA Controller").
import { describe, expect, it } from "vitest";
import { FakeBoard } from "../ata/fake-board";
import { I8237Dma } from "./i8237-dma";

function setup() {
  const board = new FakeBoard(1 << 24);
  const dma = new I8237Dma();
  dma.attach(board.context);
  dma.reset("power-on");
  // The BIOS puts channel 4 in cascade mode and unmasks it so controller 1 reaches the bus.
  board.out(0xd6, 0xc0);
  board.out(0xd4, 0x00);
  return { board, dma };
}

/** Programs channel 2 the way a floppy driver does (mask, flip-flop, address, page, count, mode). */
function programChannel2(board: FakeBoard, address: number, count: number, mode: number): void {
  board.out(0x0a, 0x06); // mask channel 2
  board.out(0x0c, 0); // clear flip-flop
  board.out(0x04, address & 0xff);
  board.out(0x04, (address >> 8) & 0xff);
  board.out(0x81, (address >> 16) & 0xff);
  board.out(0x05, count & 0xff);
  board.out(0x05, (count >> 8) & 0xff);
  board.out(0x0b, mode);
  board.out(0x0a, 0x02); // unmask channel 2
}

describe("I8237Dma", () => {
  it("write transfer: count N moves N+1 bytes into page:address, then TC masks the channel", () => {
    const { board, dma } = setup();
    programChannel2(board, 0x12_3400, 511, 0x46); // single mode, write (to memory), channel 2
    const data = new Uint8Array(600).map((_, i) => i & 0xff);
    const channel = dma.channel(2);
    expect(channel.transfer(data)).toBe(512);
    expect([...board.memory.subarray(0x12_3400, 0x12_3600)]).toEqual([...data.subarray(0, 512)]);
    expect(board.memory[0x12_3600]).toBe(0);
    expect(channel.isTerminalCount).toBe(true);
    expect(board.in(0x08) & 0x04).toBe(0x04); // TC of channel 2, cleared by the read
    expect(board.in(0x08) & 0x04).toBe(0);
    expect(board.in(0x0f) & 0x04).toBe(0x04); // masked at TC (no autoinit)
    board.out(0x0c, 0);
    expect(board.in(0x05) | (board.in(0x05) << 8)).toBe(0xffff);
    board.out(0x0c, 0);
    expect(board.in(0x04) | (board.in(0x04) << 8)).toBe(0x3600);
  });

  it("read transfer fills the device buffer from memory; address wraps inside the 64 KiB page", () => {
    const { board, dma } = setup();
    board.memory.set([1, 2, 3], 0x5_fffe);
    board.memory[0x5_0000] = 9;
    programChannel2(board, 0x5_fffe, 2, 0x4a); // read (from memory)
    const buffer = new Uint8Array(3);
    expect(dma.channel(2).transfer(buffer)).toBe(3);
    expect([...buffer]).toEqual([1, 2, 9]);
  });

  it("autoinitialize reloads base address and count at TC and keeps the channel unmasked", () => {
    const { board, dma } = setup();
    programChannel2(board, 0x1000, 3, 0x56);
    const channel = dma.channel(2);
    expect(channel.transfer(new Uint8Array([1, 2, 3, 4, 5, 6]))).toBe(6);
    expect([...board.memory.subarray(0x1000, 0x1004)]).toEqual([5, 6, 3, 4]);
    expect(channel.isTerminalCount).toBe(false);
    expect(board.in(0x0f) & 0x04).toBe(0);
  });

  it("16-bit channels count words and take A23:17 from the page (channel 5, page 8Bh)", () => {
    const { board, dma } = setup();
    board.out(0xd4, 0x05); // mask channel 5
    board.out(0xd8, 0); // flip-flop
    board.out(0xc4, 0x00); // word address 0x8000 -> byte offset 0x10000
    board.out(0xc4, 0x80);
    board.out(0x8b, 0x02); // page: A23:17 = 0x02 >> 1
    board.out(0xc6, 1); // 2 words
    board.out(0xc6, 0);
    board.out(0xd6, 0x45); // single, write, channel 5
    board.out(0xd4, 0x01);
    expect(dma.channel(5).transfer(new Uint8Array([1, 2, 3, 4, 5]))).toBe(4);
    expect([...board.memory.subarray(0x3_0000, 0x3_0004)]).toEqual([1, 2, 3, 4]);
  });

  it("runs a pending request only once the channel is unmasked", () => {
    const { board, dma } = setup();
    programChannel2(board, 0x2000, 0, 0x46);
    board.out(0x0a, 0x06);
    let served = 0;
    dma.channel(2).request(() => served++);
    expect(served).toBe(0);
    expect(board.in(0x08) & 0x40).toBe(0x40); // request pending, channel 2
    board.out(0x0a, 0x02);
    expect(served).toBe(1);
  });

  it("moves nothing while controller 1's cascade channel 4 is masked", () => {
    const { board, dma } = setup();
    programChannel2(board, 0x2000, 0, 0x46);
    board.out(0xd4, 0x04); // mask channel 4
    expect(dma.channel(2).transfer(new Uint8Array(1))).toBe(0);
  });

  it("leaves port 80h (POST) alone and keeps scratch page registers", () => {
    const { board } = setup();
    expect(board.ports.has(0x80)).toBe(false);
    board.out(0x84, 0x5a);
    expect(board.in(0x84)).toBe(0x5a);
  });

  it("master clear masks every channel of that controller", () => {
    const { board } = setup();
    board.out(0x0e, 0);
    expect(board.in(0x0f) & 0x0f).toBe(0);
    board.out(0x0d, 0);
    expect(board.in(0x0f) & 0x0f).toBe(0x0f);
  });

  it("restores its registers with loadState", () => {
    const first = setup();
    programChannel2(first.board, 0x4_1234, 99, 0x46);
    const saved = JSON.parse(JSON.stringify(first.dma.saveState()));
    const second = setup();
    second.dma.loadState(saved);
    expect(second.dma.channel(2).transfer(new Uint8Array(200))).toBe(100);
    expect(second.board.in(0x81)).toBe(0x04);
  });
});
