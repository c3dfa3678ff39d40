// Proves each boundary rule bites: a fixture package named "cpu" with one
// violation per file. Lint must flag exactly the violating files.
import path from "node:path";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { boundaries, library } from "../index.js";

const root = path.join(import.meta.dirname, "fixtures", "cpu");

async function lint(file) {
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [...library.slice(1), ...boundaries("cpu", root)],
    ignore: false,
  });
  const [result] = await eslint.lintFiles([path.join(root, "src", file)]);
  return result.messages.map((m) => m.ruleId);
}

describe("import boundaries", () => {
  it("flag a package the blueprint forbids (cpu -> memory)", async () => {
    expect(await lint("forbidden.ts")).toContain("no-restricted-imports");
  });
  it("flag a deep import into another package's src/", async () => {
    expect(await lint("deep.ts")).toContain("no-restricted-imports");
  });
  it("flag a relative import that leaves the package", async () => {
    expect(await lint("escape.ts")).toContain("ringvm/no-cross-package-relative");
  });
  it("flag an import cycle", async () => {
    expect(await lint("cycle-a.ts")).toContain("import-x/no-cycle");
  });
  it("accept imports the blueprint allows", async () => {
    expect(await lint("allowed.ts")).toEqual([]);
  });
});
