import { describe, expect, it } from "vitest";
import {
  calibrationReach,
  globalCalibrationScores,
  levelScale,
  proxyKind,
  proxyRatio,
  seriesCalibration,
  seriesCalibrationScores,
  type CalibrationSeries,
  type OriginForecast,
} from "../../../lib/forecast/calibration";
import type { CleanSeries } from "../../../lib/forecast/input";
import { combine, statForecasts } from "../../../lib/forecast/combination";
import { applyConformal, conformalTable } from "../../../lib/forecast/intervals";
import { mulberry32, normal } from "../../../lib/tensor/random";

const sorted = (v: number[]) => [...v].sort((a, b) => a - b);

/** Mean absolute first difference: the MASE scale of a yearly history, written out independently. */
function meanAbsDiff(y: number[]): number {
  let s = 0;
  for (let t = 1; t < y.length; t++) s += Math.abs(y[t] - y[t - 1]);
  return s / (y.length - 1);
}

describe("global calibration scores", () => {
  it("stand in for the networks with the classical combination, and for a classical forecast with itself", () => {
    expect(proxyKind("hybrid")).toBe("classical");
    expect(proxyKind("neural")).toBe("classical");
    expect(proxyKind("theta")).toBe("theta");
    expect(proxyKind("naive2")).toBe("naive2");
  });

  it("measure the chosen forecast against its stand-in by their total validation errors", () => {
    // (1 + 2 + 3) / (2 + 2 + 4)
    expect(proxyRatio([[1, 2], [3]], [[2, 2], [4]])).toBe(0.75);
    // nothing to compare: no scaling
    expect(proxyRatio([], [])).toBe(1);
    expect(proxyRatio([[0, 0]], [[1, 2]])).toBe(1);
    expect(proxyRatio([[1, 1]], [[0, 0]])).toBe(1);
    // a stand-in exact to rounding does not scale the earlier scores without bound, either way
    expect(proxyRatio([[1e-4, 2e-4]], [[1e-14, 1e-14]])).toBe(4);
    expect(proxyRatio([[1e-14]], [[3]])).toBe(0.25);
  });

  it("pool the validation origin and the H origins before it, each scaled by the history before its origin", () => {
    // naive2 on a yearly series is the last value: every forecast below is written out by hand.
    const y = [10, 12, 11, 15, 14, 18, 17, 21, 20, 24, 23, 27];
    const H = 3;
    const T = y.length - H; // 9: the validation window is y[9..11]
    const validation = [20, 20, 20];
    const out = globalCalibrationScores([{ y, nonNegative: true, validation, neural: false }], "naive2", H, 1);
    expect(out.ratio).toBe(1);
    // origins (history lengths) 9 (validation, the given forecast), 8, 7, 6 (T - H; 6 points is the minimum)
    const expected: number[][] = [[], [], []];
    for (const end of [T, 8, 7, 6]) {
      const f = end === T ? validation : [y[end - 1], y[end - 1], y[end - 1]];
      const scale = meanAbsDiff(y.slice(0, end));
      for (let k = 0; k < H; k++) expected[k].push(Math.abs(y[end + k] - f[k]) / scale);
    }
    out.scoresByStep.forEach((s, k) => {
      expect(s).toHaveLength(4);
      sorted(s).forEach((v, i) => expect(v).toBeCloseTo(sorted(expected[k])[i], 12));
    });
    // the validation origin's step-1 score by hand: |24 - 20| / (mean |diff| of y[0..8]: 18 / 8)
    expect(out.scoresByStep[0]).toContainEqual(expect.closeTo(4 / (18 / 8), 12));
  });

  it("use no origin with less history than two seasons or six points, and skip series too short to validate", () => {
    const y = [5, 6, 8, 7, 9, 10, 12, 11]; // T = 5 with H = 3: only the validation origin has enough history... none before it
    const short: CalibrationSeries = { y: [1, 2, 3, 4], nonNegative: true, validation: [3, 3, 3], neural: false };
    const out = globalCalibrationScores([{ y, nonNegative: true, validation: [9, 9, 9], neural: false }, short], "naive2", 3, 1);
    expect(out.scoresByStep.map((s) => s.length)).toEqual([1, 1, 1]);
    // quarterly (m = 4): two seasons are 8 points, so a 14-point series with H = 4 (T = 10) keeps origins 10, 9, 8
    const q = Array.from({ length: 14 }, (_, t) => 20 + t + [3, -1, 0, -2][t % 4]);
    const outQ = globalCalibrationScores([{ y: q, nonNegative: true, validation: [30, 30, 30, 30], neural: false }], "seasonalNaive", 4, 4);
    expect(outQ.scoresByStep.map((s) => s.length)).toEqual([3, 3, 3, 3]);
  });

  it("scale the stand-in's scores by the ratio where the forecast used the networks, and keep the forecast's own at the validation origin", () => {
    const rng = mulberry32(3);
    const make = (n: number) => {
      let v = 100;
      return Array.from({ length: n }, () => (v += 2 + 3 * normal(rng)));
    };
    const H = 4;
    const ys = [make(24), make(30), make(18)];
    // the networks' validation forecast: the stand-in's, pulled half way to the actual values
    const standIn = ys.map((y) => combine("classical", null, statForecasts(y.slice(0, y.length - H), H, 1), true));
    const validation = ys.map((y, i) => standIn[i].map((f, k) => (f + y[y.length - H + k]) / 2));
    const asNeural = globalCalibrationScores(ys.map((y, i) => ({ y, nonNegative: true, validation: validation[i], neural: true })), "hybrid", H, 1);
    const asClassical = globalCalibrationScores(ys.map((y, i) => ({ y, nonNegative: true, validation: standIn[i], neural: false })), "classical", H, 1);
    // half the error at every step of every validation window
    expect(asNeural.ratio).toBeCloseTo(0.5, 12);
    expect(asClassical.ratio).toBe(1);
    for (let k = 0; k < H; k++) {
      // scores come per series: the validation origin first, then the earlier origins
      let j = 0;
      ys.forEach((y) => {
        const T = y.length - H;
        const origins = 1 + Math.min(H, T - 6);
        expect(asNeural.scoresByStep[k][j]).toBeCloseTo(asClassical.scoresByStep[k][j] / 2, 12);
        for (let o = 1; o < origins; o++) expect(asNeural.scoresByStep[k][j + o]).toBeCloseTo(0.5 * asClassical.scoresByStep[k][j + o], 12);
        j += origins;
      });
      expect(j).toBe(asNeural.scoresByStep[k].length);
    }
  });

  it("give bands that cover close to nominal on many random walks with drift", () => {
    // 300 yearly series of 60 points (54 given, 6 to come), each its own drift and noise scale. On
    // much shorter series the bands come out a little wide (86% / 98% with 20 given points): the
    // earlier origins' forecasts rest on less history than the final one.
    const rng = mulberry32(11);
    const H = 6;
    const cases = Array.from({ length: 300 }, () => {
      const drift = 3 * normal(rng);
      const sd = 1 + 4 * rng();
      let v = 1000;
      const y = Array.from({ length: 60 }, () => (v += drift + sd * normal(rng)));
      return { given: y.slice(0, 54), future: y.slice(54) };
    });
    const fc = (x: number[]) => combine("classical", null, statForecasts(x, H, 1), true);
    const series = cases.map((c) => ({ y: c.given, nonNegative: true, validation: fc(c.given.slice(0, 54 - H)), neural: false }));
    const table = conformalTable(globalCalibrationScores(series, "classical", H, 1).scoresByStep, [80, 95]);
    const inside = [0, 0];
    for (const c of cases) {
      const bands = applyConformal(table, fc(c.given), meanAbsDiff(c.given), true);
      bands.forEach((b, j) => c.future.forEach((v, k) => (inside[j] += v >= b.lo[k] && v <= b.hi[k] ? 1 : 0)));
    }
    const points = cases.length * H;
    expect(inside[0] / points).toBeGreaterThan(0.77);
    expect(inside[0] / points).toBeLessThan(0.84);
    expect(inside[1] / points).toBeGreaterThan(0.93);
    expect(inside[1] / points).toBeLessThan(0.975);
  });
});

function yearly(values: number[]): CleanSeries {
  const y = Float64Array.from(values);
  return {
    name: "s",
    y,
    missing: new Uint8Array(y.length),
    phase: 0,
    frequency: "yearly",
    positive: values.every((v) => v > 0),
    nonNegative: values.every((v) => v >= 0),
    timestamps: Float64Array.from(values.map((_, i) => Date.UTC(1950 + i, 0, 1))),
    stepMs: null,
    covariates: [],
  };
}

describe("single-series calibration scores", () => {
  // 16 yearly points, H = 3: the own (out-of-sample) forecasts start at origin 12, so origins
  // 2H before the end (15 - 6 = 9) to 11 come from the stand-in.
  const values = [20, 22, 21, 25, 24, 28, 27, 31, 30, 34, 33, 37, 36, 40, 39, 43];
  const s = yearly(values);
  const H = 3;
  const own: OriginForecast[] = [12, 13, 14].map((origin) => ({ origin, forecast: [values[origin] + 1, values[origin] + 1, values[origin] + 1] }));

  it("measure errors in the series' level at the origin (the mean of its last 4 points for a yearly series)", () => {
    expect(levelScale(s, 12)).toBe((34 + 33 + 37 + 36) / 4);
    // two points of history: their mean
    expect(levelScale(s, 1)).toBe(21);
    expect(levelScale(yearly([-1, 2, 3, 4]), 3)).toBe(1);
  });

  it("reach back to 2H origins before the end with the stand-in, scaled by the own-to-stand-in error ratio", () => {
    // naive2 (the last value) is its own stand-in: the earlier forecasts are y[o] at every step.
    const naive = seriesCalibration(s, own, "naive2", H);
    expect(naive.earlier.map((f) => f.origin)).toEqual([9, 10, 11]);
    expect(naive.earlier.map((f) => f.forecast)).toEqual([[34, 34, 34], [33, 33, 33], [37, 37, 37]]);
    expect(naive.standInAtOwn).toEqual([]);
    const scores = seriesCalibrationScores(s, naive, H, s.y.length);
    // step 1: the own origins 12, 13, 14 (|y[o+1] - y[o] - 1|) and the earlier 9, 10, 11 (|y[o+1] - y[o]|), each over levelScale(o)
    const byHand = (o: number, shift: number) => Math.abs(values[o + 1] - values[o] - shift) / levelScale(s, o);
    expect(sorted(scores[0])).toEqual(sorted([byHand(12, 1), byHand(13, 1), byHand(14, 1), byHand(9, 0), byHand(10, 0), byHand(11, 0)]));
    // step 3 needs origin + 3 < 16: own origin 12, earlier 9, 10, 11
    expect(scores[2]).toHaveLength(4);

    // a networks' forecast: the stand-in is the classical combination, and its earlier scores are
    // multiplied by the own errors over the stand-in's at the own origins (targets before `to` only)
    const hybrid = seriesCalibration(s, own, "hybrid", H);
    expect(hybrid.standInAtOwn.map((f) => f.origin)).toEqual([12, 13, 14]);
    const classical = seriesCalibration(s, own, "classical", H);
    for (const to of [16, 15]) {
      const total = (fs: OriginForecast[]) => {
        let sum = 0;
        for (const f of fs) for (let k = 1; k <= H && f.origin + k < to; k++) sum += Math.abs(values[f.origin + k] - f.forecast[k - 1]) / levelScale(s, f.origin);
        return sum;
      };
      const ratio = total(own) / total(hybrid.standInAtOwn);
      const a = seriesCalibrationScores(s, hybrid, H, to);
      const b = seriesCalibrationScores(s, classical, H, to);
      for (let k = 0; k < H; k++) {
        const ownCount = own.filter((f) => f.origin + k + 1 < to).length;
        expect(a[k].slice(0, ownCount)).toEqual(b[k].slice(0, ownCount));
        a[k].slice(ownCount).forEach((v, i) => expect(v).toBeCloseTo(ratio * b[k][ownCount + i], 12));
        expect(a[k].length).toBe(b[k].length);
      }
    }
  });


  it("the stand-in at the own origins reuses the classical fits the own forecasts were combined with", () => {
    // Fits the own forecasts carry, made on a shorter history on purpose, so that reuse shows: the
    // stand-in must combine these, not fit again from the origin.
    const carried = own.map((f) => ({ ...f, classical: statForecasts(s.y.subarray(0, f.origin - 2), H, 1) }));
    const reused = seriesCalibration(s, carried, "hybrid", H);
    const fitted = seriesCalibration(s, own, "hybrid", H);
    carried.forEach((f, i) => {
      expect(reused.standInAtOwn[i].forecast).toEqual(combine("classical", null, f.classical, s.nonNegative));
      expect(fitted.standInAtOwn[i].forecast).toEqual(combine("classical", null, statForecasts(s.y.subarray(0, f.origin + 1), H, 1), s.nonNegative));
      expect(reused.standInAtOwn[i].forecast).not.toEqual(fitted.standInAtOwn[i].forecast);
    });
    // the earlier origins carry no fits of their own: the same either way
    expect(reused.earlier).toEqual(fitted.earlier);
  });
  it("reach back over the last 40% of the series, at least 2H origins and at most 8H", () => {
    expect(calibrationReach(16, 3)).toBe(6); // 40% is 6.4 points: 6 = 2H
    expect(calibrationReach(20, 6)).toBe(12); // 2H: more than 40% of a short series
    expect(calibrationReach(180, 12)).toBe(72); // 40% of 180
    expect(calibrationReach(1973, 6)).toBe(48); // 8H
  });

  it("narrow a long series' bands that a break in its last 2H origins widened", () => {
    // 60 series of 150 yearly points around 100 (sd 1) that shift to 106 at t = 143, and go on
    // there; H = 6, the forecast is the last value (naive2, its own stand-in), the own forecasts
    // come from the last 2H origins (137..148, as a series this long holds out). Every own origin
    // before the shift misses the points after it by about 6: at step 6 all six own scores. The
    // reach (40% of 150 = 60, at most 8H = 48 origins) dilutes them with 36 origins from before
    // the break; its misses are still a seventh of the step-6 scores, so the band stays wide there.
    const rng = mulberry32(17);
    const H = 6;
    const n = 150;
    const inside = { own: 0, reach: 0 };
    let points = 0;
    for (let r = 0; r < 60; r++) {
      const level = (t: number) => (t >= 143 ? 106 : 100);
      const values = Array.from({ length: n }, (_, t) => level(t) + normal(rng));
      const s = yearly(values);
      const own: OriginForecast[] = [];
      for (let o = n - 1 - 2 * H; o < n - 1; o++) own.push({ origin: o, forecast: Array(H).fill(values[o]) });
      const cal = seriesCalibration(s, own, "naive2", H);
      expect(cal.earlier.map((f) => f.origin)).toEqual(Array.from({ length: 36 }, (_, i) => 101 + i));
      const onlyOwn = conformalTable(seriesCalibrationScores(s, { ...cal, earlier: [] }, H, n), [80]);
      const reach = conformalTable(seriesCalibrationScores(s, cal, H, n), [80]);
      const forecast = Array(H).fill(values[n - 1]);
      const future = Array.from({ length: H }, () => 106 + normal(rng));
      const count = (t: typeof reach) => {
        const band = applyConformal(t, forecast, levelScale(s, n - 1), true)[0];
        return future.filter((v, k) => v >= band.lo[k] && v <= band.hi[k]).length;
      };
      inside.own += count(onlyOwn);
      inside.reach += count(reach);
      points += H;
    }
    // the break's misses in the own scores: the 80% band held nearly every later point (98.6%)
    expect(inside.own / points).toBeGreaterThan(0.96);
    // with the earlier origins: 90.6%, still above 80% (the break's share at the later steps) but
    // not the whole future
    expect(inside.reach / points).toBeGreaterThan(0.8);
    expect(inside.reach / points).toBeLessThan(0.93);
  });

  it("add nothing when the own forecasts already span the reach, nor before two seasons or six points", () => {
    const long = [9, 10, 11, 12, 13, 14].map((origin) => ({ origin, forecast: [0, 0, 0] }));
    expect(seriesCalibration(s, long, "hybrid", H)).toEqual({ own: long, standInAtOwn: [], earlier: [], neural: true });
    // 10 points: 2H before the end is origin 3, but six points of history start at origin 5
    const short = yearly(values.slice(0, 10));
    const cal = seriesCalibration(short, [7, 8].map((origin) => ({ origin, forecast: [1, 1, 1] })), "theta", H);
    expect(cal.earlier.map((f) => f.origin)).toEqual([5, 6]);
    expect(cal.neural).toBe(false);
    // 200 points, H = 3: the reach is 8H = 24 origins (199 - 24 = 175 and up); own forecasts from
    // 4H = 12 origins (187..198) are enough on their own, from 11 (188..198) they are not
    const many = yearly(Array.from({ length: 200 }, (_, t) => 50 + (t % 7)));
    const from = (first: number) => Array.from({ length: 199 - first }, (_, i) => ({ origin: first + i, forecast: [50, 50, 50] }));
    expect(seriesCalibration(many, from(187), "theta", H).earlier).toEqual([]);
    expect(seriesCalibration(many, from(188), "theta", H).earlier.map((f) => f.origin)).toEqual(Array.from({ length: 13 }, (_, i) => 175 + i));
  });
});
