import { systemConfig } from "@ringvm/vitest-config";

export default systemConfig({ setupFiles: ["test/support/branch-hints.ts"] });
