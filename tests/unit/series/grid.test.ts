import { describe, expect, it } from "vitest";
import { addSteps, findGaps, inferFrequency, parseCsv, type Frequency } from "../../../lib/series";
import { day } from "./helpers";

const DAY = 86_400_000;
const f64 = (xs: number[]): Float64Array => Float64Array.from(xs);
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

/** Weekdays from 2024-01-01 (a Monday), n of them, skipping the listed holidays. */
function businessDays(n: number, holidays: number[] = []): number[] {
  const out: number[] = [];
  for (let t = day(2024, 1, 1); out.length < n; t += DAY) {
    const wd = new Date(t).getUTCDay();
    if (wd !== 0 && wd !== 6 && !holidays.includes(t)) out.push(t);
  }
  return out;
}

function monthly(n: number, start: [number, number], dayOf: (y: number, m: number) => number, every = 1): number[] {
  return range(n, (i) => {
    const mi = start[0] * 12 + start[1] - 1 + i * every;
    const y = Math.floor(mi / 12);
    const m = (mi % 12) + 1;
    return day(y, m, dayOf(y, m));
  });
}
const lastDay = (y: number, m: number): number => new Date(Date.UTC(y, m, 0)).getUTCDate();

describe("inferFrequency", () => {
  const cases: [string, number[], Frequency, number | null][] = [
    ["minute", range(120, (i) => day(2024, 1, 1) + i * 60_000), "minute", 60_000],
    ["15 minutes", range(50, (i) => day(2024, 1, 1) + i * 900_000), "minute", 900_000],
    ["hourly", range(48, (i) => day(2024, 1, 1) + i * 3_600_000), "hourly", 3_600_000],
    ["daily", range(30, (i) => day(2024, 1, 1) + i * DAY), "daily", DAY],
    ["business days with a holiday", businessDays(40, [day(2024, 1, 15)]), "business", null],
    ["weekly", range(20, (i) => day(2024, 1, 7) + i * 7 * DAY), "weekly", 7 * DAY],
    ["monthly on the 1st", monthly(24, [2022, 1], () => 1), "monthly", null],
    ["monthly on month ends", monthly(24, [2022, 1], lastDay), "monthly", null],
    ["monthly on the 15th", monthly(13, [2022, 1], () => 15), "monthly", null],
    ["quarterly", monthly(12, [2020, 1], () => 1, 3), "quarterly", null],
    ["quarter ends", monthly(12, [2020, 3], lastDay, 3), "quarterly", null],
    ["yearly", monthly(10, [2000, 1], () => 1, 12), "yearly", null],
    ["irregular", [0, 1000, 1700, 5000, 5200, 9999, 20000].map((x) => day(2024, 1, 1) + x * 7919), "irregular", 7919 * 2100],
  ];
  for (const [what, ts, freq, step] of cases) {
    it(`infers ${what}`, () => {
      const got = inferFrequency(f64(ts));
      expect(got.frequency).toBe(freq);
      if (freq !== "irregular") expect(got.stepMs).toBe(step);
      else expect(got.stepMs).toBeGreaterThan(0);
    });
  }

  it("is robust to a few missing rows (daily, monthly)", () => {
    const daily = range(60, (i) => day(2024, 1, 1) + i * DAY).filter((_, i) => i % 9 !== 4);
    expect(inferFrequency(f64(daily))).toEqual({ frequency: "daily", stepMs: DAY });
    const months = monthly(36, [2020, 1], () => 1).filter((_, i) => i !== 5 && i !== 17);
    expect(inferFrequency(f64(months)).frequency).toBe("monthly");
  });

  it("does not call weekday data with weekends daily data business days", () => {
    expect(inferFrequency(f64(range(21, (i) => day(2024, 1, 1) + i * DAY))).frequency).toBe("daily");
  });

  it("a single point is irregular without a step", () => {
    expect(inferFrequency(f64([day(2024, 1, 1)]))).toEqual({ frequency: "irregular", stepMs: null });
  });
});

describe("findGaps", () => {
  it("counts absent rows and missing values on a fixed grid", () => {
    const ts = f64([1, 2, 3, 6, 7].map((d) => day(2024, 1, d)));
    const v = f64([1, NaN, 3, 6, 7]);
    expect(findGaps(ts, v, "daily", DAY)).toEqual([
      { afterTs: day(2024, 1, 1), beforeTs: day(2024, 1, 3), missingSteps: 1 },
      { afterTs: day(2024, 1, 3), beforeTs: day(2024, 1, 6), missingSteps: 2 },
    ]);
  });

  it("does not count weekends as gaps of business-day series, but counts a missing Monday", () => {
    const ts = f64([day(2024, 1, 5), day(2024, 1, 9), day(2024, 1, 10)]); // Fri, Tue, Wed
    expect(findGaps(ts, f64([1, 2, 3]), "business", null)).toEqual([
      { afterTs: day(2024, 1, 5), beforeTs: day(2024, 1, 9), missingSteps: 1 },
    ]);
  });

  it("counts missing months and quarters in calendar steps", () => {
    const ts = f64([day(2024, 1, 31), day(2024, 2, 29), day(2024, 5, 31)]);
    expect(findGaps(ts, f64([1, 2, 3]), "monthly", null)).toEqual([
      { afterTs: day(2024, 2, 29), beforeTs: day(2024, 5, 31), missingSteps: 2 },
    ]);
    const q = f64([day(2020, 1, 1), day(2020, 10, 1)]);
    expect(findGaps(q, f64([1, 2]), "quarterly", null)[0].missingSteps).toBe(2);
  });

  it("counts only missing values for irregular series", () => {
    const ts = f64([0, 5, 17, 40]);
    expect(findGaps(ts, f64([1, NaN, NaN, 4]), "irregular", 12)).toEqual([{ afterTs: 0, beforeTs: 40, missingSteps: 2 }]);
    expect(findGaps(ts, f64([1, 2, 3, 4]), "irregular", 12)).toEqual([]);
  });

  it("reports gaps of a parsed series, with missingCount their total", () => {
    const d = parseCsv("date,v\n2024-01-01,1\n2024-01-02,\n2024-01-03,3\n2024-01-07,7\n2024-01-08,8\n", { fileName: "g.csv" });
    const s = d.series[0];
    expect(s.frequency).toBe("daily");
    expect(s.gaps.map((g) => g.missingSteps)).toEqual([1, 3]);
    expect(s.missingCount).toBe(4);
  });
});

describe("addSteps", () => {
  it("steps fixed frequencies by stepMs, backwards too", () => {
    expect(addSteps(day(2024, 1, 1), "hourly", 3_600_000, 3)).toBe(day(2024, 1, 1, 3));
    expect(addSteps(day(2024, 1, 1), "minute", 900_000, 2)).toBe(day(2024, 1, 1, 0, 30));
    expect(addSteps(day(2024, 1, 10), "daily", DAY, -3)).toBe(day(2024, 1, 7));
    expect(addSteps(day(2024, 1, 7), "weekly", 7 * DAY, 2)).toBe(day(2024, 1, 21));
  });

  it("keeps month ends on month ends and clamps other days", () => {
    expect(addSteps(day(2024, 1, 31), "monthly", null, 1)).toBe(day(2024, 2, 29));
    expect(addSteps(day(2024, 2, 29), "monthly", null, 1)).toBe(day(2024, 3, 31));
    expect(addSteps(day(2024, 4, 30), "monthly", null, -2)).toBe(day(2024, 2, 29));
    expect(addSteps(day(2024, 1, 30), "monthly", null, 1)).toBe(day(2024, 2, 29));
    expect(addSteps(day(2024, 1, 15), "monthly", null, 13)).toBe(day(2025, 2, 15));
    expect(addSteps(day(2023, 12, 31), "quarterly", null, 1)).toBe(day(2024, 3, 31));
    expect(addSteps(day(2024, 2, 29), "yearly", null, 1)).toBe(day(2025, 2, 28));
    expect(addSteps(day(2024, 1, 1, 9, 30), "monthly", null, 1)).toBe(day(2024, 2, 1, 9, 30));
  });

  it("skips weekends for business days", () => {
    expect(addSteps(day(2024, 1, 5), "business", null, 1)).toBe(day(2024, 1, 8)); // Fri -> Mon
    expect(addSteps(day(2024, 1, 5), "business", null, 6)).toBe(day(2024, 1, 15));
    expect(addSteps(day(2024, 1, 8), "business", null, -1)).toBe(day(2024, 1, 5)); // Mon -> Fri
    expect(addSteps(day(2024, 1, 6), "business", null, 1)).toBe(day(2024, 1, 8)); // Sat -> Mon
    expect(addSteps(day(2024, 1, 6), "business", null, -1)).toBe(day(2024, 1, 5)); // Sat -> Fri
  });

  it("dates a forecast horizon from a parsed series", () => {
    const s = parseCsv("date,v\n2024-10-31,1\n2024-11-30,2\n2024-12-31,3\n", { fileName: "m.csv" }).series[0];
    const last = s.timestamps[s.timestamps.length - 1];
    expect([1, 2, 3].map((k) => addSteps(last, s.frequency, s.stepMs, k))).toEqual([day(2025, 1, 31), day(2025, 2, 28), day(2025, 3, 31)]);
  });

  it("refuses to step an irregular series without a step", () => {
    expect(() => addSteps(0, "irregular", null, 1)).toThrow(RangeError);
    expect(addSteps(0, "irregular", 500, 2)).toBe(1000);
  });
});
