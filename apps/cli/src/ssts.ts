// `ringvm ssts <file-or-folder>...`: replays SingleStepTests 80286 vectors (*.json or *.json.gz,
// with the suite's metadata.json beside them or one folder up) on the interpreter, prints each
// failing vector (file, index, first differing field) and ends with `N passed, N failed`.
// Differences a P6 legitimately has from the 286 are masked by the runner's named rules.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import type { Command } from "commander";
import { SstRunner, sstFlagsMask, type SstMetadata, type SstTest } from "@ringvm/cpu/testing";
import type { CliIo } from "./program";

const VECTOR_FILE = /\.json(\.gz)?$/;

/** The vector files named by `paths` (folders are searched one level deep, sorted). */
function vectorFiles(paths: readonly string[]): string[] {
  const files: string[] = [];
  for (const p of paths) {
    let isDirectory: boolean;
    try {
      isDirectory = statSync(p).isDirectory();
    } catch {
      throw new Error(`ssts: cannot read ${p}`);
    }
    if (!isDirectory) {
      files.push(p);
      continue;
    }
    for (const f of readdirSync(p).sort()) {
      if (VECTOR_FILE.test(f) && f !== "metadata.json") files.push(join(p, f));
    }
  }
  return files;
}

function readJson<T>(path: string): T {
  try {
    const raw = readFileSync(path);
    return JSON.parse((path.endsWith(".gz") ? gunzipSync(raw) : raw).toString("utf8")) as T;
  } catch (e) {
    throw new Error(`ssts: ${path} is not a readable vector file (${(e as Error).message})`);
  }
}

/** A vector file's tests: a JSON array (other JSON, such as a suite's manifest, is refused). */
function readVectors(path: string): SstTest[] {
  const tests = readJson<unknown>(path);
  if (!Array.isArray(tests)) {
    throw new Error(`ssts: ${path} is not a vector file (expected a JSON array of tests)`);
  }
  return tests as SstTest[];
}

/** The suite's metadata.json: beside the file or in the folder above it. */
function metadataFor(file: string, cache: Map<string, SstMetadata>): SstMetadata {
  for (const dir of [dirname(file), join(dirname(file), "..")]) {
    const path = join(dir, "metadata.json");
    const cached = cache.get(path);
    if (cached !== undefined) return cached;
    try {
      statSync(path);
    } catch {
      continue;
    }
    const metadata = readJson<SstMetadata>(path);
    cache.set(path, metadata);
    return metadata;
  }
  throw new Error(`ssts: no metadata.json beside ${file} or in the folder above it`);
}

export function registerSsts(program: Command, io: CliIo, setExit: (code: number) => void): void {
  program
    .command("ssts")
    .description("replay SingleStepTests 80286 CPU vectors on the interpreter")
    .argument("<paths...>", "vector files (*.json, *.json.gz) or folders of them")
    .action((paths: string[]) => {
      const runner = new SstRunner();
      const metadataCache = new Map<string, SstMetadata>();
      const masked = new Map<string, number>();
      let passed = 0;
      let failed = 0;
      for (const file of vectorFiles(paths)) {
        const key = basename(file).replace(VECTOR_FILE, "");
        const mask = sstFlagsMask(metadataFor(file, metadataCache), key);
        for (const test of readVectors(file)) {
          const result = runner.run(test, mask);
          if (result.status === "pass") passed++;
          else if (result.status === "masked") {
            masked.set(result.detail, (masked.get(result.detail) ?? 0) + 1);
          } else {
            failed++;
            io.stdout(`${key}#${test.idx} ${test.name}: ${result.detail}\n`);
          }
        }
      }
      const maskedTotal = [...masked.values()].reduce((a, b) => a + b, 0);
      for (const [rule, n] of masked) io.stdout(`masked by ${rule}: ${n}\n`);
      io.stdout(
        `${passed} passed, ${failed} failed${maskedTotal > 0 ? ` (${maskedTotal} masked)` : ""}\n`,
      );
      setExit(failed === 0 ? 0 : 1);
    });
}
