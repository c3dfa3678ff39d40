import type { UserConfig } from "vitest/config";

type TestOptions = NonNullable<UserConfig["test"]>;
/** Quick lane: unit tests beside the code and test/ suites, but not test/system. */
export function quickConfig(overrides?: TestOptions): UserConfig;
/** Slow lane: real guests and native differential runs under test/system. */
export function systemConfig(overrides?: TestOptions): UserConfig;
