import { describe, expect, it } from "vitest";
import { applyConformal, conformalQuantile, conformalTable, isotonic, normalQuantile } from "../../../lib/forecast/intervals";
import { seasonalNaive } from "../../../lib/forecast/baselines";
import { mulberry32, normal } from "../../../lib/tensor/random";

describe("conformal intervals", () => {
  it("take the score at position (n + 1) a, interpolated, and widen with the level and the horizon", () => {
    const scores = [Array.from({ length: 9 }, (_, i) => i + 1), Array.from({ length: 9 }, (_, i) => (i + 1) / 2)];
    const t = conformalTable(scores, [80, 95]);
    // n = 9: position 10 * 0.8 = 8 -> 8 at step 1 and 4 at step 2; made non-decreasing by their
    // least-squares monotone fit (equal weights): both 6
    expect(t.halfWidth[0]).toEqual([6, 6]);
    // 95% needs 19 scores: the two steps are pooled (18), then the largest: 9 at both
    expect(t.halfWidth[1]).toEqual([9, 9]);
    const bands = applyConformal(t, [100, 100], 2, false);
    expect(bands[0].lo[0]).toBe(88);
    expect(bands[0].hi[0]).toBe(112);
  });

  it("interpolate between the scores around position (n + 1) a, and fall back to the largest beyond them", () => {
    const twelve = Array.from({ length: 12 }, (_, i) => 10 * (i + 1)); // 10, 20, ..., 120
    // 13 * 0.8 = 10.4: 100 + 0.4 * (110 - 100); the conformal rank ceil(10.4) = 11 would give 110
    expect(conformalQuantile(twelve, 0.8)).toBeCloseTo(104, 12);
    // 13 * 0.5 = 6.5: halfway between the 6th and 7th
    expect(conformalQuantile(twelve, 0.5)).toBeCloseTo(65, 12);
    // 13 * 0.95 = 12.35 lies beyond the 12th: the largest
    expect(conformalQuantile(twelve, 0.95)).toBe(120);
    // 13 * 0.05 = 0.65 lies before the 1st: the smallest
    expect(conformalQuantile(twelve, 0.05)).toBe(10);
    expect(conformalQuantile([], 0.8)).toBeNaN();
  });

  it("cover a new exchangeable score with probability close to the level on average, where the rank over-covers", () => {
    // 12 calibration scores and one new score, all |N(0, 1)|, 20,000 times: the new score falls
    // inside the k-th smallest of 12 with probability k / 13, so the width at position 10.4 covers
    // about 10.4 / 13 = 80% of them (80.4% here: interpolating on a skewed distribution adds a
    // little), and the 11th score (the conformal rank ceil(13 * 0.8)) 11 / 13 = 84.6%.
    const rng = mulberry32(5);
    let inside = 0;
    let insideRank = 0;
    const trials = 20000;
    for (let i = 0; i < trials; i++) {
      const cal = Array.from({ length: 12 }, () => Math.abs(normal(rng))).sort((a, b) => a - b);
      const next = Math.abs(normal(rng));
      if (next <= conformalQuantile(cal, 0.8)) inside++;
      if (next <= cal[10]) insideRank++;
    }
    expect(inside / trials).toBeGreaterThan(0.79);
    expect(inside / trials).toBeLessThan(0.812);
    expect(insideRank / trials).toBeGreaterThan(0.835);
    expect(insideRank / trials).toBeLessThan(0.857);
  });

  it("keep increasing steps as they are and pool a decrease with its neighbour, weighted by counts", () => {
    expect(isotonic([1, 2, 3], [1, 1, 1])).toEqual([1, 2, 3]);
    expect(isotonic([3, 1, 5], [1, 3, 1])).toEqual([1.5, 1.5, 5]);
    expect(isotonic([4, 3, 2, 1], [1, 1, 1, 1])).toEqual([2.5, 2.5, 2.5, 2.5]);
  });

  it("make the 95% band wider than the 80% band even when the scores cannot tell them apart", () => {
    // three scores: both levels fall on the largest; the 95% width follows the normal ratio
    const t = conformalTable([[1, 2, 3]], [80, 95]);
    expect(t.halfWidth[0][0]).toBe(3);
    expect(t.halfWidth[1][0]).toBeCloseTo(3 * (1.959964 / 1.281552), 5);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.1)).toBeCloseTo(-1.281552, 6);
    // ties: every score equal
    const tied = conformalTable([Array(40).fill(2)], [80, 95]);
    expect(tied.halfWidth[1][0]).toBeGreaterThan(tied.halfWidth[0][0]);
  });

  it("cover close to nominal on a simulated seasonal series (rolling origins)", () => {
    const rng = mulberry32(7);
    const n = 1400;
    const m = 12;
    const y: number[] = [];
    let noise = 0;
    for (let t = 0; t < n; t++) {
      noise = 0.5 * noise + normal(rng);
      y.push(50 + 10 * Math.sin((2 * Math.PI * t) / m) + noise);
    }
    const H = 6;
    const scoresByStep: number[][] = Array.from({ length: H }, () => []);
    const calibEnd = 600;
    for (let o = m; o + H < calibEnd; o++) {
      const f = seasonalNaive(y.slice(0, o), H, m);
      for (let k = 0; k < H; k++) scoresByStep[k].push(Math.abs(y[o + k] - f[k]));
    }
    const table = conformalTable(scoresByStep, [80, 95]);
    const inside = [0, 0];
    let total = 0;
    for (let o = calibEnd; o + H <= n; o += 1) {
      const f = seasonalNaive(y.slice(0, o), H, m);
      const bands = applyConformal(table, f, 1, false);
      for (let k = 0; k < H; k++) {
        total++;
        bands.forEach((b, j) => {
          if (y[o + k] >= b.lo[k] && y[o + k] <= b.hi[k]) inside[j]++;
        });
      }
    }
    expect(inside[0] / total).toBeGreaterThan(0.75);
    expect(inside[0] / total).toBeLessThan(0.86);
    expect(inside[1] / total).toBeGreaterThan(0.92);
    expect(inside[1] / total).toBeLessThan(0.985);
  });
});
