import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { retentionText } from "../../../src/session/session-retention";

describe("retentionText", () => {
  it("names the retention in days, or in the largest unit it fills when shorter than a day", () => {
    const day = 24 * 60 * 60_000;
    assert.deepEqual([30 * day, day, 1.5 * day, 365 * day, 6 * 60 * 60_000, 90_000, 5_000, 1_000].map(retentionText), [
      "30 days",
      "1 day",
      "1.5 days",
      "365 days",
      "6 hours",
      "1.5 minutes",
      "5 seconds",
      "1 second",
    ]);
  });
});
