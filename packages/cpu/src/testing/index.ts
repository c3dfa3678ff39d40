// @ringvm/cpu/testing: helpers for tests of the CPU and of packages that drive it.
export { FlatMemory, NullPorts } from "./flat-memory";
export {
  SstRunner,
  sstFlagsMask,
  type SstMetadata,
  type SstRegs,
  type SstResult,
  type SstTest,
} from "./ssts";
