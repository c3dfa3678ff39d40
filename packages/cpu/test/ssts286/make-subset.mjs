// Rebuilds subset.json.gz from the shared SingleStepTests 80286 copy (see README.md).
import { readdirSync, readFileSync, writeFileSync, copyFileSync } from "node:fs";
import { gunzipSync, gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const src = process.argv[2] ?? "/work/shared/testdata/singlesteptests-80286";
const perFile = 8;
const out = {};
for (const f of readdirSync(join(src, "v1_real_mode")).sort()) {
  const key = f.replace(".json.gz", "");
  if (key === "D8") continue; // FPU escape: not integer
  const tests = JSON.parse(gunzipSync(readFileSync(join(src, "v1_real_mode", f))).toString()).slice(
    0,
    perFile,
  );
  for (const t of tests) {
    delete t.cycles;
    delete t.initial.queue;
    delete t.final.queue;
  }
  out[key] = tests;
}
writeFileSync(join(here, "subset.json.gz"), gzipSync(JSON.stringify(out), { level: 9 }));
writeFileSync(
  join(here, "metadata.json.gz"),
  gzipSync(readFileSync(join(src, "metadata.json")), { level: 9 }),
);
copyFileSync(join(src, "LICENSE.upstream"), join(here, "LICENSE.upstream"));
