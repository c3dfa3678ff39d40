import { systemConfig } from "@ringvm/vitest-config";

export default systemConfig();
