import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("cli", import.meta.dirname)];
