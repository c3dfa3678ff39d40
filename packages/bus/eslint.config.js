import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("bus", import.meta.dirname)];
