import { describe, expect, it } from "vitest";
import {
  buildWindows,
  calendarOf,
  futureSize,
  inputSize,
  resolveFeatures,
  type FeatureSpec,
  type PreparedSeries,
  type WindowSpec,
} from "../../../lib/forecast/prep";
import { fitForecast, loadModel, predictFromModel, type SeriesInput } from "../../../lib/forecast";

const DAY = 86_400_000;
const TWO_PI = 2 * Math.PI;

describe("calendar", () => {
  it("reads month of year and day of week from the timestamps in UTC", () => {
    // 2024-01-01 was a Monday; 2024-02-29 a Thursday; 2024-12-31 a Tuesday.
    const ts = [Date.UTC(2024, 0, 1), Date.UTC(2024, 1, 29), Date.UTC(2024, 11, 31, 23, 59)];
    const cal = calendarOf(ts, "daily", DAY, 3);
    expect(Array.from(cal.month)).toEqual([0, 1, 11]);
    expect(Array.from(cal.weekday)).toEqual([1, 4, 2]);
  });

  it("steps past the last timestamp by the series' frequency for future steps", () => {
    // Business days: Thursday 2024-01-04, Friday 2024-01-05, then Monday 8th and Tuesday 9th.
    const biz = calendarOf([Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 5)], "business", null, 4);
    expect(Array.from(biz.weekday)).toEqual([4, 5, 1, 2]);
    // Monthly from November: December, then January.
    const monthly = calendarOf([Date.UTC(2023, 10, 1)], "monthly", null, 3);
    expect(Array.from(monthly.month)).toEqual([10, 11, 0]);
    // Hourly across midnight UTC from Sunday 2024-01-07 23:00 into Monday.
    const hourly = calendarOf([Date.UTC(2024, 0, 7, 23)], "hourly", 3_600_000, 2);
    expect(Array.from(hourly.weekday)).toEqual([0, 1]);
  });

  it("keeps month and weekday features only where the frequency has them", () => {
    const all = { month: true, weekday: true };
    expect(resolveFeatures("daily", 7, all)).toEqual({ season: true, step: true, month: true, weekday: true });
    expect(resolveFeatures("monthly", 12, all)).toEqual({ season: true, step: true, month: true, weekday: false });
    expect(resolveFeatures("quarterly", 4, all)).toMatchObject({ month: false, weekday: false });
    expect(resolveFeatures("yearly", 1, all)).toEqual({ season: false, step: true, month: false, weekday: false });
    expect(resolveFeatures("hourly", 24, { weekday: true, step: false })).toEqual({ season: true, step: false, month: false, weekday: true });
    // by default the calendar cycle longer than the season: the year for daily series, the week for sub-daily ones
    expect(resolveFeatures("daily", 7)).toEqual({ season: true, step: true, month: true, weekday: false });
    expect(resolveFeatures("business", 5)).toMatchObject({ month: true, weekday: false });
    expect(resolveFeatures("hourly", 24)).toEqual({ season: true, step: true, month: false, weekday: true });
    expect(resolveFeatures("minute", 60)).toMatchObject({ month: false, weekday: true });
    for (const [f, m] of [["monthly", 12], ["weekly", 52], ["quarterly", 4], ["yearly", 1]] as const) expect(resolveFeatures(f, m)).toMatchObject({ month: false, weekday: false });
    // and either can be turned off
    expect(resolveFeatures("daily", 7, { month: false })).toMatchObject({ month: false, weekday: false });
    expect(resolveFeatures("hourly", 24, { weekday: false })).toMatchObject({ month: false, weekday: false });
  });
});

describe("windows with month and weekday features", () => {
  // A daily series from Monday 2024-01-29: the window crosses into February.
  const n = 20;
  const ts = Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 29) + i * DAY);
  const ps: PreparedSeries = {
    z: Float64Array.from({ length: n }, (_, i) => i),
    phase: 1,
    missing: new Uint8Array(n),
    calendar: calendarOf(ts, "daily", DAY, n + 3),
  };
  const features: FeatureSpec = { season: true, step: true, month: true, weekday: true };
  const spec: WindowSpec = { lookback: 4, outputs: 3, features, season: 7, windowNorm: "last", difference: false, seq2seq: true, horizon: 3 };

  it("have the documented layout: value, season, month, weekday, step", () => {
    expect(inputSize(features, 7)).toBe(8);
    expect(futureSize(features, 7)).toBe(7);
    expect(inputSize({ ...features, covariates: 2 }, 7)).toBe(10);
    const ws = buildWindows([ps], spec, [{ seriesIndex: 0, origin: 4 }], true);
    expect(ws.inputSize).toBe(8);
    expect(ws.x.length).toBe(4 * 8);
    expect(ws.future!.length).toBe(3 * 7);
    // Window steps are indices 1..4: Tue 30 Jan, Wed 31 Jan, Thu 1 Feb, Fri 2 Feb.
    const row = (j: number) => Array.from(ws.x.subarray(j * 8, (j + 1) * 8));
    const month = [0, 0, 1, 1];
    const weekday = [2, 3, 4, 5];
    for (let j = 0; j < 4; j++) {
      const r = row(j);
      expect(r[0]).toBe(j + 1 - 4); // value minus the last value
      expect(r[1]).toBeCloseTo(Math.sin((TWO_PI * (1 + j + 1)) / 7), 6);
      expect(r[3]).toBeCloseTo(Math.sin((TWO_PI * month[j]) / 12), 6);
      expect(r[4]).toBeCloseTo(Math.cos((TWO_PI * month[j]) / 12), 6);
      expect(r[5]).toBeCloseTo(Math.sin((TWO_PI * weekday[j]) / 7), 6);
      expect(r[6]).toBeCloseTo(Math.cos((TWO_PI * weekday[j]) / 7), 6);
      expect(r[7]).toBeCloseTo(j / 3, 6);
    }
    // The decoder's future steps: Sat 3, Sun 4, Mon 5 Feb.
    const fut = (k: number) => Array.from(ws.future!.subarray(k * 7, (k + 1) * 7));
    expect(fut(0)[0]).toBeCloseTo(1 / 3, 6);
    expect(fut(1)[3]).toBeCloseTo(Math.sin((TWO_PI * 1) / 12), 6);
    expect(fut(1)[5]).toBeCloseTo(0, 6); // Sunday
    expect(fut(1)[6]).toBeCloseTo(1, 6);
    expect(fut(2)[5]).toBeCloseTo(Math.sin(TWO_PI / 7), 6); // Monday
  });

  it("reach future steps at inference from the calendar's extension", () => {
    // Origin at the last point: the decoder's steps are past the series' timestamps.
    const ws = buildWindows([ps], spec, [{ seriesIndex: 0, origin: n - 1 }], false);
    // n - 1 + 1 = 20 days after Monday 29 Jan is Sunday 18 Feb.
    expect(ws.future![5]).toBeCloseTo(0, 6);
    expect(ws.future![6]).toBeCloseTo(1, 6);
    expect(() => buildWindows([{ ...ps, calendar: undefined }], spec, [{ seriesIndex: 0, origin: 4 }], true)).toThrow(/calendar/);
  });
});

describe("fitForecast with month and weekday features", () => {
  it("selects them by option, stores them in the model and reproduces the forecast", () => {
    const n = 120;
    const timestamps = Float64Array.from({ length: n }, (_, i) => Date.UTC(2024, 0, 1) + i * DAY);
    const values = Float64Array.from(timestamps, (t) => 20 + (new Date(t).getUTCDay() === 0 ? 8 : 0) + new Date(t).getUTCMonth());
    const series: SeriesInput = { name: "d", timestamps, values, frequency: "daily", stepMs: DAY };
    const config = { model: "gru" as const, strategy: "seq2seq" as const, horizon: 7, lookback: 14, hiddenSize: 4, epochs: 2 };
    const out = fitForecast(series, config, 1, { features: { month: true, weekday: true } });
    const header = loadModel(out.modelBlob).header;
    expect(header.members[0].spec.features).toMatchObject({ season: true, step: true, month: true, weekday: true });
    expect(predictFromModel(loadModel(out.modelBlob), series).forecast).toEqual(out.forecast);
    // By default a daily series reads the month (the yearly cycle its weekly season cannot show), not the weekday.
    const plain = fitForecast(series, config, 1);
    expect(loadModel(plain.modelBlob).header.members[0].spec.features).toMatchObject({ month: true, weekday: false });
    expect(plain.forecast).not.toEqual(out.forecast);
    const none = fitForecast(series, config, 1, { features: { month: false } });
    expect(loadModel(none.modelBlob).header.members[0].spec.features).toMatchObject({ month: false, weekday: false });
  });
});
