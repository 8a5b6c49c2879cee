import { describe, expect, it } from "vitest";
import { applyConformal, conformalTable, isotonic, normalQuantile } from "../../../lib/forecast/intervals";
import { seasonalNaive } from "../../../lib/forecast/baselines";
import { mulberry32, normal } from "../../../lib/tensor/random";

describe("conformal intervals", () => {
  it("use the ceil((n+1)a)-th score and widen with the level and the horizon", () => {
    const scores = [Array.from({ length: 9 }, (_, i) => i + 1), Array.from({ length: 9 }, (_, i) => (i + 1) / 2)];
    const t = conformalTable(scores, [80, 95]);
    // n = 9: rank ceil(10 * 0.8) = 8 -> 8 at step 1 and 4 at step 2; made non-decreasing by their
    // least-squares monotone fit (equal weights): both 6
    expect(t.halfWidth[0]).toEqual([6, 6]);
    // 95% needs 19 scores: the two steps are pooled (18), then the largest: 9 at both
    expect(t.halfWidth[1]).toEqual([9, 9]);
    const bands = applyConformal(t, [100, 100], 2, false);
    expect(bands[0].lo[0]).toBe(88);
    expect(bands[0].hi[0]).toBe(112);
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
