// The dispatch table: every handler group names real decoder forms, and no form twice.
import { describe, expect, it } from "vitest";
import { DUPLICATE_FORMS, UNKNOWN_FORMS } from "../../src/dispatch";

describe("dispatch table", () => {
  it("has no duplicate or unknown form names", () => {
    expect(DUPLICATE_FORMS).toEqual([]);
    expect(UNKNOWN_FORMS).toEqual([]);
  });
});
