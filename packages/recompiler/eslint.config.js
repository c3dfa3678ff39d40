import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("recompiler", import.meta.dirname)];
