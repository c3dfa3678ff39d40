// The generated files in src/generated must equal what scripts/gen-forms.ts produces from the
// table now (iced's generator_check): run `pnpm --filter @ringvm/decoder codegen` to refresh.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generate } from "../scripts/gen-forms";

describe("generated tables", () => {
  it("are up to date with src/table", () => {
    for (const [name, text] of Object.entries(generate())) {
      const onDisk = readFileSync(new URL(`../src/generated/${name}`, import.meta.url), "utf8");
      expect(onDisk === text, `src/generated/${name} is stale: run pnpm codegen`).toBe(true);
    }
  });
});
