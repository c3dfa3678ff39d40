import { quickConfig } from "@ringvm/vitest-config";

export default quickConfig();
