// Types of chipset-ops.mjs (plain JS so the build script runs on Node without a compiler).
export interface OracleOp {
  /** Port I/O, or a 32-bit memory access (`read`/`write`, `port` = physical address). */
  readonly op: "in" | "out" | "read" | "write";
  readonly port: number;
  readonly width: 1 | 2 | 4;
  readonly value?: number;
  readonly note?: string;
}
declare const ops: readonly OracleOp[];
export default ops;
