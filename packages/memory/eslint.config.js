import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("memory", import.meta.dirname)];
