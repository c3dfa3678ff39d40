// The few WebAssembly JS API members the back end uses, typed here (the repository's TypeScript
// libs declare no WebAssembly namespace) and looked up on globalThis.

/** A WebAssembly.Memory (only its buffer is read on the JS side). */
export interface WasmMemoryLike {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
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
