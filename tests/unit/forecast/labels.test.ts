import { describe, expect, it } from "vitest";
import { warningsIn } from "../../../lib/forecast";

describe("warningsIn", () => {
  it("returns a note's Warning sentences without the word, and nothing of the others (decimals do not split a sentence)", () => {
    const note =
      "On the validation window the networks did not improve on Theta, so the forecast uses it (theta). " +
      "Warning: on the held-out test window this forecast was less accurate than seasonal naive (MASE 1.204 vs 0.951, sMAPE 12.5% vs 9.8%); prefer the seasonal naive forecast or more history. " +
      "OWA 1.050: not better than the naive2 benchmark.";
    expect(warningsIn(note)).toEqual([
      "on the held-out test window this forecast was less accurate than seasonal naive (MASE 1.204 vs 0.951, sMAPE 12.5% vs 9.8%); prefer the seasonal naive forecast or more history.",
    ]);
    expect(warningsIn("On the held-out test window this forecast beat seasonal naive (MASE 0.800 vs 0.951).")).toEqual([]);
    expect(warningsIn("")).toEqual([]);
  });
});
