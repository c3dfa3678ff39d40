// Shared vitest configuration. Packages resolve each other through the
// "@ringvm/source" export condition, so tests read src/ without a build.
import { defineConfig } from "vitest/config";

/** Quick lane: unit tests beside the code and test/ suites, but not test/system. */
export function quickConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ["@ringvm/source"] },
    ssr: { resolve: { conditions: ["@ringvm/source"] } },
    test: {
      include: ["src/**/*.test.ts", "test/**/*.test.ts", "*.test.{js,ts}"],
      exclude: ["test/system/**", "node_modules/**", "dist/**"],
      passWithNoTests: true,
      // Generous: CI machines have 2 cores shared by every package's test run.
      testTimeout: 60_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}

/** Slow lane: real guests and native differential runs under test/system. */
export function systemConfig(overrides = {}) {
  return defineConfig({
    resolve: { conditions: ["@ringvm/source"] },
    ssr: { resolve: { conditions: ["@ringvm/source"] } },
    test: {
      include: ["test/system/**/*.test.ts"],
      // turbo runs one package's system lane at a time (--concurrency=1), and each guest boot is
      // single-threaded, so two files at once use both cores of a 2-core CI machine (vitest's
      // default would be one worker there).
      maxWorkers: 2,
      testTimeout: 600_000,
      hookTimeout: 600_000,
      passWithNoTests: true,
      ...overrides,
    },
  });
}
