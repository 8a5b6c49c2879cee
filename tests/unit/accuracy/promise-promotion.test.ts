import { describe, expect, it } from "vitest";
import { comparePromises, promiseSentence } from "@/lib/accuracy/promise";
import { decide, evaluationWindow, scoreWindow } from "@/lib/accuracy/promotion";

describe("realised against promised", () => {
  it("averages the newest forecasts with actuals and says it in plain words", () => {
    const records = [
      { forecastId: 5, points: 0, realisedMase: null, promisedMase: 0.8 }, // nothing arrived yet: skipped
      { forecastId: 4, points: 3, realisedMase: 1.2, promisedMase: 0.8 },
      { forecastId: 3, points: 6, realisedMase: 1.0, promisedMase: 0.7 },
      { forecastId: 2, points: 6, realisedMase: 1.4, promisedMase: 1.0 },
      { forecastId: 1, points: 6, realisedMase: 9, promisedMase: 1 }, // older than the last three
    ];
    const c = comparePromises(records, 3)!;
    expect(c.forecasts).toBe(3);
    expect(c.realisedMase).toBeCloseTo(3.6 / 3, 12);
    expect(c.promisedMase).toBeCloseTo(2.5 / 3, 12);
    expect(c.ratio).toBeCloseTo(1.44, 12);
    expect(promiseSentence(c)).toBe("The last 3 forecasts were 44% less accurate than their backtest promised (realised MASE 1.20, promised 0.83).");
    expect(promiseSentence({ forecasts: 1, realisedMase: 0.6, promisedMase: 0.8, ratio: 0.75 })).toBe(
      "The last forecast was 25% more accurate than its backtest promised (realised MASE 0.60, promised 0.80).",
    );
    expect(promiseSentence({ forecasts: 1, realisedMase: 2.6, promisedMase: 0.8, ratio: 3.25 })).toBe(
      "The last forecast was 3.3 times as far off as its backtest promised (realised MASE 2.60, promised 0.80).",
    );
    expect(promiseSentence({ forecasts: 2, realisedMase: 0.85, promisedMase: 0.8, ratio: 1.0625 })).toMatch(/^The last 2 forecasts were about as accurate as their backtest promised/);
    expect(promiseSentence(comparePromises([], 3))).toBe("No forecast has actual values to compare with its backtest yet.");
  });
});

describe("the promotion contest", () => {
  const held = { timestamps: [1, 2, 3, 4, 5], actual: [10, 10, Number.NaN, 10, 10], model: [11, 11, 11, 11, 12] };
  const replay = { timestamps: [1, 2, 3, 4, 5, 6], forecast: [10, 13, 10, 10, 14, 0] };

  it("scores both on the held-out dates the champion was not fitted on, with a finite actual", () => {
    const w = evaluationWindow(held, replay, 1); // the champion saw date 1
    expect(w).toEqual({ timestamps: [2, 4, 5], actual: [10, 10, 10], challenger: [11, 11, 12], champion: [13, 10, 14] });
    expect(scoreWindow(w, 2)).toEqual({ metric: "mase", challenger: 4 / 3 / 2, champion: 7 / 3 / 2, points: 3, from: 2, to: 5 });
    expect(scoreWindow(w, null)).toMatchObject({ metric: "mae", challenger: 4 / 3, champion: 7 / 3 });
    expect(scoreWindow(evaluationWindow(held, replay, 5), 2)).toBeNull(); // nothing new to the champion
    expect(evaluationWindow(held, { timestamps: [1, 2], forecast: [10, 10] }, null).timestamps).toEqual([1, 2]); // only dates both forecast
  });

  const scores = (challenger: number, champion: number) => ({ metric: "mase" as const, challenger, champion, points: 3, from: 2, to: 5 });
  const base = { mode: "if-better" as const, requestedByHand: false, challengerRunId: 7, champion: { runId: 3, invalid: null }, noScores: null };

  it("promotes only a strictly better challenger, keeps it otherwise with the reason", () => {
    expect(decide({ ...base, scores: scores(0.84, 0.91) })).toEqual({
      decision: "promoted",
      reason: "Beat the current model: run #7 MASE 0.840 vs run #3 0.910 on the 3 newest held-out points.",
    });
    expect(decide({ ...base, scores: scores(0.91, 0.84) })).toEqual({
      decision: "kept",
      reason: "Did not beat the current model: run #7 MASE 0.910 vs run #3 0.840 on the 3 newest held-out points.",
    });
    expect(decide({ ...base, scores: scores(0.84, 0.84) }).decision).toBe("kept");
    expect(decide({ ...base, scores: null, noScores: "no held-out point is new" })).toEqual({ decision: "kept", reason: "Kept as a candidate: no held-out point is new." });
  });

  it("promotes without a contest when there is no current model, it is invalid, or the mode says always", () => {
    expect(decide({ ...base, champion: null, scores: null })).toEqual({ decision: "promoted", reason: "There was no current forecast." });
    expect(decide({ ...base, champion: { runId: 3, invalid: "it has no stored model file" }, scores: null })).toEqual({
      decision: "promoted",
      reason: "The current model (run #3) is invalid: it has no stored model file.",
    });
    expect(decide({ ...base, mode: "always", scores: scores(2, 1) }).reason).toBe(
      'Promoted without a contest (its schedule says promote: "always"); run #7 MASE 2.00 vs run #3 1.00 on the 3 newest held-out points.',
    );
    expect(decide({ ...base, mode: "always", requestedByHand: true, scores: null })).toEqual({ decision: "promoted", reason: "Promoted without a contest (a run requested by hand becomes current)." });
  });
});
