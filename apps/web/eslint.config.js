import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("web", import.meta.dirname)];
