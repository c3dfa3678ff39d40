import { boundaries, library } from "@ringvm/eslint-config";

export default [...library, ...boundaries("hypervisor", import.meta.dirname)];
