// Replays the committed SingleStepTests 80286 real-mode subset (hardware-recorded vectors).
import { readFileSync } from "node:fs";
import { gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { SstRunner, sstFlagsMask, type SstMetadata, type SstTest } from "../../src/testing/ssts";

const dir = new URL(".", import.meta.url);
const metadata = JSON.parse(
  gunzipSync(readFileSync(new URL("metadata.json.gz", dir))).toString(),
) as SstMetadata;
const subset = JSON.parse(
  gunzipSync(readFileSync(new URL("subset.json.gz", dir))).toString(),
) as Record<string, SstTest[]>;

describe("SingleStepTests 80286 real mode (subset)", () => {
  it("every vector passes or is masked by a named rule", () => {
    const runner = new SstRunner();
    const failures: string[] = [];
    let passed = 0;
    let masked = 0;
    for (const [file, tests] of Object.entries(subset)) {
      const mask = sstFlagsMask(metadata, file);
      for (const t of tests) {
        const r = runner.run(t, mask);
        if (r.status === "pass") passed++;
        else if (r.status === "masked") masked++;
        else failures.push(`${file}#${t.idx} ${t.name}: ${r.detail}`);
      }
    }
    expect(failures).toEqual([]);
    expect(passed + masked).toBe(2592);
    expect(passed).toBeGreaterThan(2500);
  });
});
