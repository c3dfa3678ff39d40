// Preload for profiling the wasm back end: `node --import ./bench/wasm-names.mjs bench/phases.mjs
// --prof FILE`. Every module compiled through `new WebAssembly.Module` gets a name section, so a
// V8 CPU profile (or `perf` with --perf-prof) shows its functions as `M<module>_<function>`
// (module: the order of compilation, function: the index among the module's own functions,
// i.e. after its imports) instead of `wasm-function[N]`, which is the same for every module.
// With RINGVM_WASM_DIR set, each module's bytes (without the name section) are also written to
// that directory as <module>.wasm, for a disassembler (wasm-objdump, wasm2wat).
//
// The first modules are the back end's shared helpers (wasm/region.ts: the spill, the flag and
// condition bodies, the memo fill `me`; wasm/chain.ts: the dynamic-exit trampoline); region
// modules follow. A profiling aid only: the names cost a few bytes per function.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// The wasm spike's emitter (plain JavaScript, no side effects): its LEB128 writer.
import { uleb } from "../packages/recompiler/bench/wasm-spike/wasm.mjs";

const dir = process.env.RINGVM_WASM_DIR;
if (dir) mkdirSync(dir, { recursive: true });
const Original = WebAssembly.Module;
let serial = 0;

/** Reads an unsigned LEB128 at `at.i` (advancing it). */
function readUleb(bytes, at) {
  let v = 0;
  let shift = 0;
  let b;
  do {
    b = bytes[at.i++];
    v |= (b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  return v >>> 0;
}

/** Imported functions and defined functions of a module (its import and function sections). */
function functionCounts(bytes) {
  const at = { i: 8 };
  let imported = 0;
  let defined = 0;
  while (at.i < bytes.length) {
    const id = bytes[at.i++];
    const size = readUleb(bytes, at);
    const end = at.i + size;
    if (id === 2) {
      for (let n = readUleb(bytes, at); n > 0; n--) {
        for (let name = 0; name < 2; name++) {
          const length = readUleb(bytes, at); // the module's name, then the field's
          at.i += length;
        }
        const kind = bytes[at.i++];
        if (kind === 0) {
          readUleb(bytes, at);
          imported++;
        } else if (kind === 1 || kind === 2) {
          if (kind === 1) at.i++; // the table's element type
          const flags = bytes[at.i++];
          readUleb(bytes, at);
          if (flags & 1) readUleb(bytes, at);
        } else {
          at.i += 2; // a global: value type and mutability
        }
      }
    } else if (id === 3) {
      defined = readUleb(bytes, at);
    }
    at.i = end;
  }
  return { imported, defined };
}

/** `bytes` with a name section naming each defined function M<id>_<k>. */
function named(bytes, id) {
  const { imported, defined } = functionCounts(bytes);
  const map = [];
  uleb(defined, map);
  for (let k = 0; k < defined; k++) {
    const name = Buffer.from(`M${id}_${k}`);
    uleb(imported + k, map);
    uleb(name.length, map);
    map.push(...name);
  }
  const payload = [];
  const sectionName = Buffer.from("name");
  uleb(sectionName.length, payload);
  payload.push(...sectionName, 1); // subsection 1: function names
  uleb(map.length, payload);
  payload.push(...map);
  const section = [0]; // a custom section
  uleb(payload.length, section);
  section.push(...payload);
  const out = new Uint8Array(bytes.length + section.length);
  out.set(bytes);
  out.set(section, bytes.length);
  return out;
}

function NamedModule(source) {
  const bytes = new Uint8Array(
    ArrayBuffer.isView(source)
      ? source.buffer.slice(source.byteOffset, source.byteOffset + source.byteLength)
      : source,
  );
  const id = serial++;
  if (dir) writeFileSync(join(dir, `${id}.wasm`), bytes);
  return new Original(named(bytes, id));
}
NamedModule.prototype = Original.prototype;
NamedModule.imports = Original.imports;
NamedModule.exports = Original.exports;
NamedModule.customSections = Original.customSections;
WebAssembly.Module = NamedModule;
