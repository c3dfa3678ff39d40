// Checks what each published package would put on npm: only its build output, README,
// LICENSE and package.json, with ESM and .d.ts for every export. Run after `pnpm build`.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const allowed = /^(package\.json|README\.md|LICENSE|CHANGELOG\.md|dist\/.+)$/;
let failures = 0;

for (const dir of readdirSync(path.join(root, "packages"))) {
  const cwd = path.join(root, "packages", dir);
  const manifest = JSON.parse(readFileSync(path.join(cwd, "package.json"), "utf8"));
  if (manifest.private) continue;
  const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const files = JSON.parse(out)[0].files.map((f) => f.path);
  const stray = files.filter((f) => !allowed.test(f));
  const needed = ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"];
  const missing = needed.filter((f) => !files.includes(f));
  if (stray.length || missing.length) {
    failures++;
    console.error(
      `${manifest.name}: stray ${JSON.stringify(stray)} missing ${JSON.stringify(missing)}`,
    );
  } else {
    console.log(`${manifest.name}: ${files.length} files OK`);
  }
}
if (failures) {
  console.error(`${failures} package(s) would publish the wrong files`);
  process.exit(1);
}
