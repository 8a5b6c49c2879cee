import { describe, expect, it } from "vitest";
import { bandBreaks, servedSequence, trailingBreaks, type StoredForecast } from "@/lib/accuracy/sequence";
import { DEFAULT_RULES, evaluateRules } from "@/lib/accuracy/rules";
import { accuracyOf, NO_ACCURACY } from "@/lib/accuracy/metrics";
import { rollingAccuracy } from "@/lib/accuracy/rolling";

/** A forecast from `origin` of the value `v` on dates origin+1..origin+h, with a 95% band ±2. */
const fc = (id: number, origin: number, h: number, v: number, served = true): StoredForecast => ({
  forecastId: id,
  runId: id,
  origin,
  served,
  scale: 1,
  points: Array.from({ length: h }, (_, k) => ({ ts: origin + k + 1, value: v, lo80: v - 1, hi80: v + 1, lo95: v - 2, hi95: v + 2 })),
});

describe("the served sequence", () => {
  it("scores each date with the freshest served forecast made before it; kept candidates never count", () => {
    const actual = new Map([1, 2, 3, 4, 5, 6].map((ts) => [ts, 10]));
    const at = (ts: number) => actual.get(ts) ?? Number.NaN;
    const seq = servedSequence([fc(1, 0, 4, 10), fc(2, 2, 4, 20), fc(3, 3, 4, 30, false)], at);
    expect(seq.map((p) => [p.ts, p.forecastId])).toEqual([
      [1, 1],
      [2, 1],
      [3, 2],
      [4, 2],
      [5, 2],
      [6, 2],
    ]);
  });

  it("finds stretches of 95% band breaks and the trailing one", () => {
    const actual = [10, 30, 30, 10, 30, 30, 30];
    const seq = servedSequence([fc(1, 0, 7, 10)], (ts) => actual[ts - 1] ?? Number.NaN);
    expect(bandBreaks(seq)).toEqual([
      { from: 2, to: 3, length: 2, forecastIds: [1] },
      { from: 5, to: 7, length: 3, forecastIds: [1] },
    ]);
    expect(trailingBreaks(seq)).toBe(3);
    expect(trailingBreaks(seq.slice(0, 4))).toBe(0);
  });
});

describe("the alert rules", () => {
  const current = (mase: number, points: number, promised: number, horizon = 12) => ({
    runId: 1,
    forecastId: 1,
    horizon,
    accuracy: { ...NO_ACCURACY, points, mase },
    promisedMase: promised,
  });

  it("band: k breaks in a row (every stretch alerts, only a trailing one is drifting now)", () => {
    const actual = [30, 30, 30, 10];
    const seq = servedSequence([fc(1, 0, 4, 10)], (ts) => actual[ts - 1]);
    const f = evaluateRules(seq, accuracyOf(seq), null, DEFAULT_RULES);
    expect(f.breaks).toEqual([{ from: 1, to: 3, length: 3, forecastIds: [1] }]);
    expect(f.drifting).toBe(false);
    expect(evaluateRules(seq.slice(0, 3), accuracyOf(seq), null, DEFAULT_RULES).drifting).toBe(true);
    expect(evaluateRules(seq, accuracyOf(seq), null, { ...DEFAULT_RULES, bandBreaks: 4 }).breaks).toEqual([]);
  });

  it("accuracy: realised MASE over the promise by more than the factor, once enough dates (at most the horizon) are in", () => {
    expect(evaluateRules([], NO_ACCURACY, current(1.6, 8, 1), DEFAULT_RULES).accuracy).toMatchObject({ realised: 1.6, promised: 1, ratio: 1.6 });
    expect(evaluateRules([], NO_ACCURACY, current(1.4, 8, 1), DEFAULT_RULES).accuracy).toBeNull();
    expect(evaluateRules([], NO_ACCURACY, current(3, 7, 1), DEFAULT_RULES).accuracy).toBeNull(); // minPoints 8
    expect(evaluateRules([], NO_ACCURACY, current(3, 4, 1, 4), DEFAULT_RULES).accuracy).not.toBeNull(); // a 4-step forecast: 4 suffice
    expect(evaluateRules([], NO_ACCURACY, current(3, 8, 0), DEFAULT_RULES).accuracy).toBeNull(); // no promise to break
  });

  it("coverage: the window's 95% coverage below the minimum, on enough dates", () => {
    const low = { ...NO_ACCURACY, points: 10, coverage95: 0.7 };
    expect(evaluateRules([], low, null, DEFAULT_RULES).coverage).toEqual({ coverage95: 0.7, points: 10 });
    expect(evaluateRules([], { ...low, coverage95: 0.8 }, null, DEFAULT_RULES).coverage).toBeNull();
    expect(evaluateRules([], { ...low, points: 5 }, null, DEFAULT_RULES).coverage).toBeNull();
  });
});

describe("rolling accuracy of a series", () => {
  // Ten dates; the served forecast's band (±2 around 10) holds the actuals at dates 1-5 only.
  const actual = [10, 10, 10, 10, 10, 30, 30, 10, 10, 30];
  const at = (ts: number) => actual[ts - 1] ?? Number.NaN;
  const forecasts = [
    { ...fc(1, 0, 10, 10), horizon: 10, promisedMase: 2 },
    { ...fc(2, 5, 5, 30, false), horizon: 5, promisedMase: 1 }, // a candidate kept aside: not in the rolling score
  ];
  const current = { forecastId: 1, runId: 1, promotedAt: "2024-01-01T00:00:00.000Z", promised: { mase: 2, smape: null, coverage80: null, coverage95: 0.9 } };

  it("scores the last N dates with the served forecasts, the current one since promotion, and realised against promised", () => {
    const { rolling, findings, perForecast } = rollingAccuracy(forecasts, at, current, DEFAULT_RULES);
    expect(perForecast.get(2)!.points).toBe(5);
    // errors 0 ×5, 20, 20, 0, 0, 20: MAE 6 (scale 1, so MASE 6); 7 of 10 inside the band
    expect(rolling.last).toMatchObject({ points: 10, from: 1, to: 10, mae: 6, mase: 6, coverage95: 0.7 });
    expect(rolling.sincePromotion).toMatchObject({ forecastId: 1, points: 10, mase: 6 });
    expect(rolling.realisedVsPromised).toEqual({ forecasts: 1, realisedMase: 6, promisedMase: 2, ratio: 3 });
    expect(rolling.summary).toBe("The last forecast was 3.0 times as far off as its backtest promised (realised MASE 6.00, promised 2.00).");
    expect(findings.coverage).toEqual({ coverage95: 0.7, points: 10 });
    expect(rolling).toMatchObject({ outsideStreak: 1, status: "drifting", coverageLowSince: 10 });
  });

  it("carries a low-coverage episode on, and ends it when coverage recovers", () => {
    expect(rollingAccuracy(forecasts, at, current, DEFAULT_RULES, { coverageLowSince: 7 }).rolling.coverageLowSince).toBe(7);
    expect(rollingAccuracy(forecasts, at, current, { ...DEFAULT_RULES, minCoverage95: 0.5 }, { coverageLowSince: 7 }).rolling.coverageLowSince).toBeNull();
    expect(rollingAccuracy([], at, null, DEFAULT_RULES).rolling).toMatchObject({ status: "unscored", last: { points: 0 }, sincePromotion: null, promised: null });
  });
});
