// SSE architectural state (SDM vol. 1 10.2): eight 128-bit XMM registers and MXCSR. The register
// file is one buffer with typed views per element size, so packed operations index it directly
// (register r, element i of size 2^k bytes is view[(r << (4 - k)) + i]; the host is
// little-endian, like the guest).

/** MXCSR bits (SDM vol. 1 figure 10-3). Flags 0-5 and masks 7-12 share the x87 bit order. */
export const MXCSR_IE = 0x0001;
export const MXCSR_DE = 0x0002;
export const MXCSR_ZE = 0x0004;
export const MXCSR_OE = 0x0008;
export const MXCSR_UE = 0x0010;
export const MXCSR_PE = 0x0020;
export const MXCSR_DAZ = 0x0040;
export const MXCSR_MASK_SHIFT = 7;
export const MXCSR_RC_SHIFT = 13;
export const MXCSR_FZ = 0x8000;
/** MXCSR after reset/FNINIT-independent power-up: all exceptions masked, round to nearest. */
export const MXCSR_DEFAULT = 0x1f80;
/** Writable MXCSR bits (the MXCSR_MASK FXSAVE reports: DAZ is supported). */
export const MXCSR_WRITABLE = 0xffff;

export class SseState {
  /** XMM0-7 as 32 dwords (register r = dwords 4r..4r+3, dword 0 = bits 31:0). */
  readonly d: Uint32Array;
  readonly b: Uint8Array;
  readonly sb: Int8Array;
  readonly w: Uint16Array;
  readonly sw: Int16Array;
  readonly sd: Int32Array;
  mxcsr = MXCSR_DEFAULT;

  /**
   * `registers`: 32 dwords to keep XMM0-7 in (e.g. a view of the WebAssembly memory generated
   * code shares, as the general registers); a fresh array by default.
   */
  constructor(registers?: Uint32Array) {
    if (registers !== undefined && registers.length !== 32)
      throw new RangeError(`XMM registers must be 32 uint32, got ${registers.length}`);
    const d = registers ?? new Uint32Array(32);
    const { buffer, byteOffset } = d;
    this.d = d;
    this.b = new Uint8Array(buffer, byteOffset, 128);
    this.sb = new Int8Array(buffer, byteOffset, 128);
    this.w = new Uint16Array(buffer, byteOffset, 64);
    this.sw = new Int16Array(buffer, byteOffset, 64);
    this.sd = new Int32Array(buffer, byteOffset, 32);
  }

  reset(): void {
    this.d.fill(0);
    this.mxcsr = MXCSR_DEFAULT;
  }
}
