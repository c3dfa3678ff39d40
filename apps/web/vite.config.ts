import { defineConfig } from "vite";

export default defineConfig({
  // Relative asset URLs, so the built site works from any static file server and sub-path.
  base: "./",
  resolve: { conditions: ["@ringvm/source"] },
  build: { target: "es2022" },
});
