// The few WebAssembly JS API members the back end uses, typed here (the repository's TypeScript
// libs declare no WebAssembly namespace) and looked up on globalThis.

/** A WebAssembly.Memory (only its buffer is read on the JS side). */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  validate(bytes: Uint8Array): boolean;
  Table: new (descriptor: { element: "anyfunc"; initial: number }) => {
    readonly length: number;
    set(index: number, value: unknown): void;
  };
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { readonly exports: Record<string, unknown> };
}

/** The host's WebAssembly API, or undefined when there is none. */
export function wasmApi(): WasmApi | undefined {
  return (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
}

/**
 * A module of one function returning `i8x16.splat(0)`: valid where the host has fixed-width
 * SIMD (the inline SSE2 forms need it).
 */
const SIMD_PROBE = Uint8Array.from([
  ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // magic, version
  ...[0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b], // type: () -> v128
  ...[0x03, 0x02, 0x01, 0x00], // one function of type 0
  ...[0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b], // i32.const 0; i8x16.splat
]);

let simd: boolean | undefined;

/** Whether the host's WebAssembly has fixed-width SIMD. */
export function wasmSimd(): boolean {
  simd ??= wasmApi()?.validate(SIMD_PROBE) === true;
  return simd;
}

/**
 * The V8 flag that makes a V8 of version `v8` ("major.minor.build...", Node's
 * `process.versions.v8`) read WebAssembly branch hints, or undefined where it takes none: from
 * 13.6 (Chrome 136, Node 24) V8 reads them by default, and before 10.0 the flag is not known to
 * be there. Region code marks its slow paths unlikely (`Asm.hint`); V8 then lays them out of line
 * and spills around their calls there, not on the hot path. A host that runs the recompiler sets
 * the flag before the first region compiles (Node: `v8.setFlagsFromString`, as `ringvm run`
 * does); elsewhere the hints are an unknown custom section and change nothing.
 */
export function branchHintFlag(v8: string): string | undefined {
  const [major = NaN, minor = NaN] = v8.split(".").map(Number);
  if (!Number.isInteger(major) || !Number.isInteger(minor) || major < 10) return undefined;
  if (major > 13 || (major === 13 && minor >= 6)) return undefined;
  return "--experimental-wasm-branch-hinting";
}

/**
 * The V8 flag that gives calls from JavaScript into region code V8's per-signature entry
 * wrappers from the first call, for a V8 of version `v8`, or undefined where it is not measured
 * to help. V8 11 (Node 20) first enters an exported function through its generic wrapper and,
 * after some calls, compiles a specific wrapper for that one function on the main thread: with
 * thousands of region modules, each entered from the dispatcher, that is thousands of wrapper
 * compiles, and the calls stay ~3x dearer than a per-signature wrapper's (34 against 10 ns in a
 * 2,000-module test). With the flag (`--no-wasm-generic-wrapper`) instantiation uses the
 * signature's cached wrapper: the bench's boot 2 % faster (bench/README.md). Set it before the
 * first region compiles, as `branchHintFlag`.
 */
export function entryWrapperFlag(v8: string): string | undefined {
  return v8Major(v8) === 11 ? "--no-wasm-generic-wrapper" : undefined;
}

/**
 * The V8 flag that lowers TurboFan's inlining budget per optimized function (the bytecode it
 * inlines in all, 920 bytes by default) for a V8 of version `v8`, or undefined where it is not
 * measured. The engine's loops (`run`, `runCold`) are large and deoptimize a few dozen times
 * in a boot, as new paths are reached; each new optimized version compiles on V8's one worker
 * thread on a 2-core host, queued behind the WebAssembly tier-ups, and the loop runs as baseline
 * code meanwhile. With less inlined the compiles are shorter: on V8 11 (Node 20), without it a
 * boot took 2.5 % longer (0.195 ± 0.052 s in six paired boots, bench/ab.mjs), the kernel's
 * decompressor phase 4 % and user space 7 %, the workload within the noise; 200 instead of 400
 * was no different (bench/README.md, stops 61 and 62). It applies to every function the process
 * optimizes; set it as `branchHintFlag`.
 */
export function inliningBudgetFlag(v8: string): string | undefined {
  return v8Major(v8) === 11 ? "--max-inlined-bytecode-size-cumulative=400" : undefined;
}

/** The major version of a V8 version string ("11.3.244.8-node.38"), NaN if none. */
function v8Major(v8: string): number {
  return Number(v8.split(".")[0]);
}

/** The V8 flags a host running the recompiler sets for V8 `v8` (the three above, where needed). */
export function wasmHostFlags(v8: string): string[] {
  return [branchHintFlag(v8), entryWrapperFlag(v8), inliningBudgetFlag(v8)].filter(
    (f): f is string => f !== undefined,
  );
}
