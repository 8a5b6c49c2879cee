// Isolated outliers: the classical methods read a history without the values a data error makes
// (a value typed with three extra zeros), and leave seasonal peaks, level shifts and the last
// season alone.
import { describe, expect, it } from "vitest";
import { fitForecast, fitGlobal, type SeriesInput } from "../../../lib/forecast";
import { classicalOutliers, statForecasts } from "../../../lib/forecast/combination";
import { isolatedOutliers, withoutOutliers } from "../../../lib/forecast/outliers";
import { mulberry32, normal } from "../../../lib/tensor/random";

/** Monthly sales-like values: level 100 with a trend, a December peak of ×3 and 3% noise. */
function sales(n: number, seed = 1): number[] {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, (_, i) => (100 + 0.5 * i) * (i % 12 === 11 ? 3 : 1) * (1 + 0.03 * normal(rng)));
}

const median = (v: number[]) => {
  const b = [...v].sort((p, q) => p - q);
  return b.length % 2 ? b[b.length >> 1] : (b[b.length / 2 - 1] + b[b.length / 2]) / 2;
};

describe("isolatedOutliers", () => {
  it("finds a value with three extra zeros, and expects the median of the same month a year and two years away", () => {
    const y = sales(96);
    y[40] *= 1000;
    const found = isolatedOutliers(y, 12);
    expect(found.map((o) => o.index)).toEqual([40]);
    expect(found[0].expected).toBe(median([y[16], y[28], y[52], y[64]]));
  });

  it("finds a value typed a tenth of what it should be, and two errors in a row", () => {
    const y = sales(96, 2);
    y[30] /= 10;
    y[60] *= 50;
    y[61] *= 50;
    expect(isolatedOutliers(y, 12).map((o) => o.index)).toEqual([30, 60, 61]);
  });

  it("leaves a clean seasonal series alone: its peaks are far from their neighbours but not from last year's", () => {
    for (let seed = 1; seed <= 20; seed++) expect(isolatedOutliers(sales(120, seed), 12)).toEqual([]);
  });

  it("leaves a level shift alone (each value close to its neighbours on one side)", () => {
    const rng = mulberry32(3);
    const y = Array.from({ length: 80 }, (_, i) => (i < 50 ? 100 : 300) + normal(rng));
    expect(isolatedOutliers(y, 1)).toEqual([]);
    expect(isolatedOutliers(y, 4)).toEqual([]);
  });

  it("never calls a value of the last season an outlier: at the end a new level and an error look the same", () => {
    const y = sales(96, 4);
    y[90] *= 1000;
    expect(isolatedOutliers(y, 12)).toEqual([]);
    const yearly = Array.from({ length: 30 }, (_, i) => 50 + i);
    yearly[29] = 5000;
    expect(isolatedOutliers(yearly, 1)).toEqual([]);
    yearly[29] = 79;
    yearly[27] = 5000; // two values before the end: neighbours on both sides
    expect(isolatedOutliers(yearly, 1).map((o) => o.index)).toEqual([27]);
  });

  it("works on series that are not positive (temperatures), in the values' own units", () => {
    const rng = mulberry32(5);
    const y = Array.from({ length: 120 }, (_, i) => 10 * Math.sin((2 * Math.PI * i) / 12) + normal(rng));
    y[50] = 999; // a sensor's error code
    expect(isolatedOutliers(y, 12).map((o) => o.index)).toEqual([50]);
  });
});

describe("the classical methods on a history with a data error", () => {
  it("forecast as they do without it (Theta's level went from about 270 to about 2,400 with it)", () => {
    const clean = sales(96, 6);
    const bad = [...clean];
    bad[40] *= 1000;
    const a = statForecasts(clean, 12, 12);
    const b = statForecasts(withoutOutliers(bad, 12), 12, 12);
    const c = statForecasts(bad, 12, 12);
    expect(c.theta).toEqual(b.theta);
    expect(c.comb).toEqual(b.comb);
    for (let k = 0; k < 12; k++) expect(Math.abs(c.theta[k] - a.theta[k]) / a.theta[k]).toBeLessThan(0.02);
    // The benchmarks read the values as given.
    expect(c.baselines.naive2).not.toEqual(a.baselines.naive2);
    expect(classicalOutliers(bad, 12)).toEqual([{ index: 40, value: bad[40], expected: median([bad[16], bad[28], bad[52], bad[64]]) }]);
  });
});

describe("auto on a series with a data error", () => {
  const values = sales(96, 7);
  const series = (v: number[]): SeriesInput => ({ name: "sales", timestamps: new Float64Array(v.map((_, i) => Date.UTC(2010, i, 1))), values: new Float64Array(v), frequency: "monthly", stepMs: null });
  const bad = [...values];
  bad[40] *= 1000;
  // Default settings: the networks, which read the values as given, are robust to one error in
  // their training windows at their default size (a 4-unit network trained for 3 epochs is not).
  const cfg = { model: "auto" as const, horizon: 6 };
  const clean = fitForecast(series(values), cfg, 2);
  const out = fitForecast(series(bad), cfg, 2);

  it("forecasts about what it forecasts without the error", () => {
    for (let k = 0; k < 6; k++) expect(Math.abs(out.forecast[k] - clean.forecast[k]) / clean.forecast[k]).toBeLessThan(0.03);
  });

  it("names the value, its date and what was used instead in a warning", () => {
    const expected = median([bad[16], bad[28], bad[52], bad[64]]);
    expect(out.metrics.note).toContain(
      `Warning: the classical methods read 1 value far from both its neighbours and the same season's values as a data error and used the expected value instead (check it in the data): 2013-05-01 (${bad[40]}; about ${Number(expected.toPrecision(4))} expected).`,
    );
    expect(clean.metrics.note).not.toContain("data error");
  });
});

describe("a global model's series with a data error", () => {
  it("gets the warning in its own note, and only it", () => {
    const series = [1, 2, 3, 4, 5, 6].map((seed) => {
      const v = sales(72, seed);
      if (seed === 3) v[30] *= 1000;
      return { name: `s${seed}`, timestamps: new Float64Array(v.map((_, i) => Date.UTC(2010, i, 1))), values: new Float64Array(v), frequency: "monthly" as const, stepMs: null };
    });
    const out = fitGlobal(series, { model: "auto", horizon: 6, hiddenSize: 4, epochs: 2 }, 5, { seedsPerCell: 1 });
    const warned = out.series.filter((s) => s.note.includes("as a data error")).map((s) => s.name);
    expect(warned).toEqual(["s3"]);
    expect(out.series.find((s) => s.name === "s3")!.note).toContain(`: 2012-07-01 (${series[2].values[30]}; about `);
  });
});
