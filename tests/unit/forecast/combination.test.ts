import { describe, expect, it } from "vitest";
import { chooseCombination, combine, statForecasts, type ValidationCase } from "../../../lib/forecast/combination";
import { buildNote, combinationLabel, globalNote, neuralLabel } from "../../../lib/forecast/labels";
import type { Metrics } from "../../../lib/forecast/metrics";
import { mulberry32, normal } from "../../../lib/tensor/random";

/** A trending monthly-like history and its next h values, with seeded noise. */
function caseOf(seed: number, neuralError: (k: number, rng: () => number) => number, h = 6): ValidationCase {
  const rng = mulberry32(seed);
  const n = 48;
  const y = Array.from({ length: n + h }, (_, t) => 100 + 0.8 * t + 5 * Math.sin((2 * Math.PI * t) / 12) + 2 * normal(rng));
  const history = y.slice(0, n);
  const actual = y.slice(n);
  return { actual, history, neural: actual.map((a, k) => a + neuralError(k, rng)), stats: statForecasts(history, h, 12), nonNegative: true };
}

describe("combine", () => {
  const stats = { theta: [10, 10], comb: [20, 20], damped: [30, 30], baselines: { naive: [1, 1], seasonalNaive: [2, 2], naive2: [3, 3], drift: [4, 4] } };

  it("makes the hybrid the equal-weight mean of the networks and the three classical methods", () => {
    expect(combine("hybrid", [40, 0], stats, false)).toEqual([25, 15]);
    expect(combine("classical", [40, 0], stats, false)).toEqual([20, 20]);
    expect(combine("legacyHybrid", [30, 0], stats, false)).toEqual([20, 10]);
    expect(combine("neural", [40, -8], stats, true)).toEqual([40, 0]);
    expect(combine("seasonalNaive", null, stats, false)).toEqual([2, 2]);
  });

  it("falls back to the classical combination when there is no neural forecast", () => {
    expect(combine("hybrid", null, stats, false)).toEqual([20, 20]);
    expect(combine("neural", null, stats, false)).toEqual([20, 20]);
  });
});

describe("chooseCombination", () => {
  const candidates = ["hybrid", "neural", "classical", "theta", "seasonalNaive", "naive2"] as const;

  it("keeps the hybrid when its parts are equally good (their mean is then the best)", () => {
    // every component is the actual values plus its own noise of one size; the benchmarks are worse
    const cases = Array.from({ length: 30 }, (_, i) => {
      const c = caseOf(i + 1, () => 0);
      const rng = mulberry32(100 + i);
      const noisy = (sd: number) => c.actual.map((a) => a + sd * normal(rng));
      const baselines = { naive: noisy(8), seasonalNaive: noisy(8), naive2: noisy(8), drift: noisy(8) };
      return { ...c, neural: noisy(3), stats: { theta: noisy(3), comb: noisy(3), damped: noisy(3), baselines } };
    });
    const choice = chooseCombination([...candidates], cases, 12);
    expect(choice.kind).toBe("hybrid");
    expect(choice.t).toBeNull();
    const best = [...choice.scores].sort((x, y) => x.score - y.score)[0];
    expect(best.kind).toBe("hybrid");
  });

  it("drops the networks when they are clearly worse on the validation windows of many series", () => {
    // a network that is far off on every series: the hybrid loses to every classical candidate
    const cases = Array.from({ length: 30 }, (_, i) => caseOf(i + 1, () => 60));
    const choice = chooseCombination([...candidates], cases, 12);
    expect(["classical", "theta"]).toContain(choice.kind);
    expect(choice.t).not.toBeNull();
    expect(choice.t!).toBeLessThan(-2);
    const hybrid = choice.scores.find((s) => s.kind === "hybrid")!;
    expect(choice.scores.find((s) => s.kind === choice.kind)!.score).toBeLessThan(hybrid.score);
  });

  it("chooses the networks alone when they are clearly better", () => {
    const cases = Array.from({ length: 30 }, (_, i) => caseOf(i + 1, (_k, rng) => 0.01 * normal(rng)));
    expect(chooseCombination([...candidates], cases, 12).kind).toBe("neural");
  });

  it("never switches on one series' window, however large the difference", () => {
    expect(chooseCombination([...candidates], [caseOf(1, () => 60)], 12).kind).toBe("hybrid");
  });

  it("uses the classical combination when no series has a neural forecast", () => {
    const cases = [1, 2, 3].map((i) => ({ ...caseOf(i, () => 0), neural: null }));
    expect(chooseCombination([...candidates], cases, 12).kind).toBe("classical");
  });
});

describe("labels", () => {
  it("say what the hybrid combines and why a fallback was used", () => {
    const nn = neuralLabel(["lstm", "lstm", "gru", "gru"], 4);
    expect(nn).toBe("lstm+gru ensemble of 4 (median)");
    expect(neuralLabel(["gru"], 1, ["temp"])).toBe("gru with covariate temp");
    expect(combinationLabel("hybrid", nn)).toBe("hybrid: mean of the lstm+gru ensemble of 4 (median), Theta, an SES/Holt/damped comb and a damped trend");
    expect(combinationLabel("classical", nn)).toMatch(/^classical: mean of Theta, .* \(fallback: the lstm\+gru ensemble of 4 \(median\) did not help on validation\)$/);
    expect(combinationLabel("seasonalNaive", nn)).toBe("seasonal naive (fallback: the lstm+gru ensemble of 4 (median) was worse on validation)");
    expect(combinationLabel("neural", nn)).toBe(nn);
  });
});

describe("buildNote", () => {
  const m = (mase: number | null, smape: number): Metrics => ({ mae: 1, rmse: 1, mape: null, smape, mase });

  it("warns plainly when the forecast lost to seasonal naive, and gives the OWA", () => {
    const note = buildNote("hybrid: …", "hybrid", m(1.2, 12), m(0.9, 10), m(1.0, 11), 1.145);
    expect(note).toContain("Warning: on the held-out test window this forecast was less accurate than seasonal naive (MASE 1.200 vs 0.900, sMAPE 12.0% vs 10.0%)");
    expect(note).toContain("OWA 1.145: not better than the naive2 benchmark.");
    expect(note).not.toContain("fallback");
  });

  it("says when it beat seasonal naive and naive2, and compares by sMAPE when MASE is undefined", () => {
    const note = buildNote("hybrid: …", "hybrid", m(0.5, 5), m(0.9, 10), m(1.0, 11), 0.477);
    expect(note).toMatch(/^On the held-out test window this forecast beat seasonal naive \(MASE 0.500 vs 0.900/);
    expect(note).toContain("OWA 0.477: better than the naive2 benchmark.");
    expect(buildNote("x", "hybrid", m(null, 20), m(null, 10), m(null, 11), null)).toContain("Warning:");
    expect(buildNote("x", "hybrid", m(null, 5), m(null, 10), m(null, 11), null)).not.toContain("Warning:");
  });

  it("leaves MASE out when neither has one, and shows the sMAPE difference that decided", () => {
    // an exact seasonal series: seasonal naive's in-sample error is 0 (no MASE), its forecast error 0
    const note = buildNote("x", "hybrid", m(null, 0.0123), m(null, 0), m(null, 0), null);
    expect(note).toContain("less accurate than seasonal naive (sMAPE 0.012% vs 0%)");
    expect(note).not.toContain("n/a");
    expect(buildNote("x", "hybrid", m(null, 3.44), m(0.5, 3.41), m(1, 4), null)).toContain("(MASE n/a vs 0.500, sMAPE 3.44% vs 3.41%)");
    expect(buildNote("x", "hybrid", m(null, 3.44), m(null, 3.41), m(1, 4), null)).toContain("(sMAPE 3.44% vs 3.41%)");
    expect(buildNote("x", "hybrid", m(null, 0.0123), m(null, 0.0118), m(1, 4), null)).toContain("(sMAPE 0.0123% vs 0.0118%)");
  });

  it("names a fallback and the window it was scored on", () => {
    const note = buildNote("theta (fallback: …)", "theta", m(0.8, 9), m(0.9, 10), m(1.0, 11), 0.85, "validation window");
    expect(note).toMatch(/^On the validation window the networks did not improve on the Theta method, so the forecast uses it \(theta \(fallback: …\)\)\./);
    expect(note).toContain("On the validation window this forecast beat seasonal naive");
  });

  it("lists the series of a global model that lost to seasonal naive", () => {
    const note = globalNote("hybrid: …", 6, 12, 0.8, 0.95, ["a", "b"]);
    expect(note).toContain("scored OWA 0.800 against naive2 (seasonal naive 0.950).");
    expect(note).toContain("less accurate than seasonal naive for 2 series (a, b)");
    expect(globalNote("x", 6, 12, 1.1, 0.95, [])).toContain("Warning: over all series");
  });
});
