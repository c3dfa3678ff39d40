import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("devices", import.meta.dirname)];
