import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("pc", import.meta.dirname)];
