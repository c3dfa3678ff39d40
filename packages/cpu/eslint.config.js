import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("cpu", import.meta.dirname)];
