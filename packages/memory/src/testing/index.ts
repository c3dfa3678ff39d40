// @ringvm/memory/testing: an independent reference page walker and a page-table builder.
export { referenceTranslate } from "./reference-walker";
export type { ReferenceConfig, ReferenceOutcome } from "./reference-walker";
export { PageTableBuilder } from "./page-tables";
export type { MapOptions, TableFormat, TableMemory } from "./page-tables";
