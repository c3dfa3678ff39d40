import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("decoder", import.meta.dirname)];
