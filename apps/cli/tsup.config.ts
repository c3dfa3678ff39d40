import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/main.ts", "src/host-threads.ts", "src/host-wasm.ts"],
  format: ["esm"],
  sourcemap: true,
  clean: true,
  target: "node20",
  banner: { js: "#!/usr/bin/env node" },
});
