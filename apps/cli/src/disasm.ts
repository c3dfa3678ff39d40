// `ringvm disasm FILE`: linear disassembly of raw bytes or of an ELF file's executable sections,
// with @ringvm/decoder. Text is Intel syntax (iced-compatible); --json prints one object a line.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import {
  Decoder,
  DecodeError,
  elfExecutableSections,
  formatInstruction,
  Instruction,
  Mnemonic,
} from "@ringvm/decoder";
import type { CliIo } from "./program";

interface DisasmOptions {
  bits?: string;
  offset?: string;
  length?: string;
  base?: string;
  json?: boolean;
  raw?: boolean;
}

/** Parses a decimal or 0x-hex non-negative integer option; throws a clear message otherwise. */
function parseCount(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const v = /^0x[0-9a-f]+$/i.test(text)
    ? parseInt(text.slice(2), 16)
    : /^\d+$/.test(text)
      ? Number(text)
      : NaN;
  if (!Number.isSafeInteger(v))
    throw new Error(`disasm: --${name} must be a number (decimal or 0x hex), got "${text}"`);
  return v;
}

function hexBytes(b: Uint8Array, off: number, len: number): string {
  let s = "";
  for (let i = 0; i < len; i++) s += (b[off + i] ?? 0).toString(16).padStart(2, "0");
  return s;
}

/** Disassembles `bytes[start, end)` whose first byte is at `address`; writes lines to io. */
function disassembleRange(
  io: CliIo,
  bytes: Uint8Array,
  start: number,
  end: number,
  address: number,
  bits: 16 | 32 | 64,
  json: boolean,
): { count: number; truncated: boolean } {
  const d = new Decoder(bits);
  const insn = new Instruction();
  const view = bytes.subarray(0, end);
  let off = start;
  let count = 0;
  let truncated = false;
  let out = "";
  while (off < end) {
    const ip = address + (off - start);
    d.decode(view, off, ip, insn);
    let len = insn.length;
    // EVEX (AVX-512) forms are walked with their real length but not decoded into operands.
    const isUnsupported = insn.error === DecodeError.Unsupported;
    if (insn.isInvalid && !isUnsupported) {
      if (insn.error === DecodeError.NoMoreBytes) truncated = true;
      len = 1; // step one byte past what is not an instruction
    }
    const hex = hexBytes(bytes, off, len);
    const bad = isUnsupported ? "(evex)" : "(bad)";
    const text = insn.isInvalid ? bad : formatInstruction(insn);
    if (json) {
      const mnemonic = insn.isInvalid ? bad : (Mnemonic[insn.mnemonic] ?? "").toLowerCase();
      out += `${JSON.stringify({ offset: off, address: ip, length: len, bytes: hex, mnemonic, text })}\n`;
    } else {
      out += `${ip.toString(16).padStart(8, "0")}  ${hex.padEnd(30)} ${text}\n`;
    }
    count++;
    off += len;
    if (out.length > 1 << 16) {
      io.stdout(out);
      out = "";
    }
  }
  io.stdout(out);
  return { count, truncated };
}

/** Adds the `disasm` subcommand. */
export function registerDisasm(program: Command, io: CliIo): void {
  program
    .command("disasm")
    .description("disassemble raw x86 code or the executable sections of an ELF file")
    .argument("<file>", "raw binary or ELF file")
    .option("--bits <n>", "16, 32 or 64 (default: the ELF class, else 32)")
    .option("--offset <n>", "raw mode: file offset to start at", undefined)
    .option("--length <n>", "raw mode: number of bytes to decode")
    .option("--base <addr>", "raw mode: address of the first decoded byte (default: 0)")
    .option("--raw", "treat an ELF file as raw bytes")
    .option(
      "--json",
      "one JSON object per instruction: offset, address, length, bytes, mnemonic, text",
    )
    .action((file: string, opts: DisasmOptions) => {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(file));
      } catch (e) {
        throw new Error(
          `disasm: cannot read ${file}: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      let bits: 16 | 32 | 64 | undefined;
      if (opts.bits !== undefined) {
        if (opts.bits !== "16" && opts.bits !== "32" && opts.bits !== "64")
          throw new Error(`disasm: --bits must be 16, 32 or 64, got "${opts.bits}"`);
        bits = Number(opts.bits) as 16 | 32 | 64;
      }
      const json = opts.json === true;
      const sections = opts.raw ? null : elfExecutableSections(bytes);
      let truncated = false;
      if (sections !== null) {
        if (sections.length === 0)
          throw new Error(`disasm: ${file} is an ELF file without executable sections`);
        for (const s of sections) {
          if (!json)
            io.stdout(`; section ${s.name} at 0x${s.address.toString(16)} (${s.size} bytes)\n`);
          const r = disassembleRange(
            io,
            bytes,
            s.offset,
            s.offset + s.size,
            s.address,
            bits ?? s.bits,
            json,
          );
          truncated ||= r.truncated;
        }
      } else {
        const start = parseCount("offset", opts.offset, 0);
        if (start > bytes.length)
          throw new Error(
            `disasm: --offset ${start} is past the end of ${file} (${bytes.length} bytes)`,
          );
        const length = parseCount("length", opts.length, bytes.length - start);
        const end = Math.min(bytes.length, start + length);
        if (start + length > bytes.length)
          io.stderr(
            `ringvm disasm: ${file} has only ${bytes.length - start} bytes after offset ${start}; decoding those\n`,
          );
        const r = disassembleRange(
          io,
          bytes,
          start,
          end,
          parseCount("base", opts.base, 0),
          bits ?? 32,
          json,
        );
        truncated = r.truncated;
      }
      if (truncated)
        io.stderr(
          "ringvm disasm: the last instruction is cut off by the end of the input (shown as (bad))\n",
        );
    });
}
