import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { defineConfig, type Plugin } from "vite";

/** The default guest, served from the repository's guests/ (never copied into apps/web). */
const GUEST_FILES = ["vmlinuz", "initramfs.cpio.gz", "bios.bin", "vgabios-stdvga.bin"];
const guestsDir = fileURLToPath(new URL("../../guests/", import.meta.url));

/** Emits guests/* into the build and serves them from the dev server. */
function defaultGuest(): Plugin {
  return {
    name: "ringvm-default-guest",
    generateBundle() {
      for (const name of GUEST_FILES) {
        this.emitFile({
          type: "asset",
          fileName: `guests/${name}`,
          source: readFileSync(guestsDir + name),
        });
      }
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const match = /\/guests\/([^/?]+)/.exec(req.url ?? "");
        const name = match?.[1];
        if (name === undefined || !GUEST_FILES.includes(name)) {
          next();
          return;
        }
        res.setHeader("Content-Type", "application/octet-stream");
        res.end(readFileSync(guestsDir + name));
      });
    },
  };
}

export default defineConfig({
  // Relative asset URLs, so the built site works from any static file server and sub-path.
  base: "./",
  resolve: { conditions: ["@ringvm/source"] },
  build: { target: "es2022" },
  worker: { format: "es" },
  plugins: [defaultGuest()],
});
