// Runs SingleStepTests 80286 vectors (files or folders of *.json.gz) and prints each failing
// vector (file, index, first differing field), then `N passed, N failed, N masked` and the
// masked count per named rule. Default: the full shared copy.
// Usage: pnpm exec tsx --conditions=@ringvm/source test/ssts286/run-full.ts [path...]
import { readFileSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { SstRunner, sstFlagsMask, type SstMetadata, type SstTest } from "../../src/testing/ssts";

const args = process.argv.slice(2);
const paths = args.length > 0 ? args : ["/work/shared/testdata/singlesteptests-80286/v1_real_mode"];
const files: string[] = [];
for (const p of paths) {
  if (statSync(p).isDirectory()) {
    for (const f of readdirSync(p).sort()) if (f.endsWith(".json.gz")) files.push(join(p, f));
  } else {
    files.push(p);
  }
}
const runner = new SstRunner();
const masked = new Map<string, number>();
let passed = 0;
let failed = 0;
for (const file of files) {
  const key = basename(file).replace(".json.gz", "");
  let metaPath = join(dirname(file), "..", "metadata.json");
  try {
    statSync(metaPath);
  } catch {
    metaPath = join(dirname(file), "metadata.json");
  }
  const metadata = JSON.parse(readFileSync(metaPath, "utf8")) as SstMetadata;
  const tests = JSON.parse(gunzipSync(readFileSync(file)).toString()) as SstTest[];
  for (const t of tests) {
    const r = runner.run(t, sstFlagsMask(metadata, key));
    if (r.status === "pass") passed++;
    else if (r.status === "masked") masked.set(r.detail, (masked.get(r.detail) ?? 0) + 1);
    else {
      failed++;
      console.log(`${key}#${t.idx} ${t.name}: ${r.detail}`);
    }
  }
}
const maskedTotal = [...masked.values()].reduce((a, b) => a + b, 0);
console.log(`${passed} passed, ${failed} failed, ${maskedTotal} masked`);
for (const [rule, n] of masked) console.log(`  masked by ${rule}: ${n}`);
process.exitCode = failed === 0 ? 0 : 1;
