// Shared set-up for the decode-cache tests: flat 32-bit protected mode at CPL 0.
import type { PortIo } from "@ringvm/bus";
import { Cpu, type CpuOptions, ESP, SegReg } from "../../src/index";
import { FlatMemory, NullPorts } from "../../src/testing/index";

export function hex(s: string): Uint8Array {
  return Uint8Array.from(s.match(/../g)!.map((b) => parseInt(b, 16)));
}

const CODE32 = 0x80 | 0x10 | 0x08 | 0x02 | 0x4000 | 0x8000;
const DATA32 = 0x80 | 0x10 | 0x02 | 0x4000 | 0x8000;

/** Flat 32-bit protected mode (CPL 0), code at 0x1000, stack at 0x8000. */
export function flatCpu(
  mem: FlatMemory,
  io: PortIo = new NullPorts(),
  extra: Partial<CpuOptions> = {},
): Cpu {
  const cpu = new Cpu({ memory: mem, io, ...extra });
  cpu.setControlRegister(0, 0x60000011);
  cpu.loadSegmentCache(SegReg.CS, 0x08, 0, 0xffffffff, CODE32);
  for (const seg of [SegReg.SS, SegReg.DS, SegReg.ES]) {
    cpu.loadSegmentCache(seg, 0x10, 0, 0xffffffff, DATA32);
  }
  cpu.setReg32(ESP, 0x8000);
  cpu.eip = 0x1000;
  return cpu;
}

/**
 * FlatMemory with PhysicalSpace-style code-page watches (CpuOptions.codeTranslator/codePages):
 * physical = linear modulo the size; the first write to a watched page notifies the listeners.
 */
export class WatchedFlatMemory extends FlatMemory {
  private readonly watched = new Uint8Array(this.bytes.length >>> 12);
  private readonly listeners: ((page: number, offset: number, length: number) => boolean | void)[] =
    [];
  /** Writes the listeners let pass with the watch kept (beside decoded code). */
  keptWatches = 0;

  override write8(linear: number, value: number): void {
    super.write8(linear, value);
    this.noteWrite(this.translate(linear, 1));
  }
  translate(linear: number, _kind: number): number {
    return linear & (this.bytes.length - 1);
  }
  watchPage(page: number): void {
    this.watched[page] = 1;
  }
  isWatched(page: number): boolean {
    return this.watched[page] === 1;
  }
  onCodeWrite(listener: (page: number, offset: number, length: number) => boolean | void): void {
    this.listeners.push(listener);
  }
  /** As PhysicalSpace: the byte's place goes to the listeners; one returning true keeps the watch. */
  protected noteWrite(physical: number): void {
    const page = physical >>> 12;
    if (this.watched[page] !== 1) return;
    this.watched[page] = 0;
    let keep = false;
    for (const l of this.listeners) if (l(page, physical & 0xfff, 1) === true) keep = true;
    if (keep) {
      this.watched[page] = 1;
      this.keptWatches++;
    }
  }
}
