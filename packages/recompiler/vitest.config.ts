import { quickConfig } from "@ringvm/vitest-config";

export default quickConfig({ setupFiles: ["test/support/branch-hints.ts"] });
