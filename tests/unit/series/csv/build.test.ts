import { describe, expect, it } from "vitest";
import { buildAllSeries, buildSeries, valueRange } from "../../../../lib/series/csv/build";
import { chooseLayout, seriesNamer, valueColumns } from "../../../../lib/series/csv/layout";
import { streamed, utc } from "./stages";
import { csvError } from "../helpers";

/** The build stage on a CSV: its series as [name, timestamps, values], and the warnings. */
function built(csv: string) {
  const { dialect, dates, table, warnings } = streamed(csv);
  const layout = chooseLayout(table, valueColumns(table, dialect, warnings), dialect, dates.cols.header, warnings);
  const before = warnings.length;
  const series = buildAllSeries(table, layout, { nameOf: seriesNamer(layout, dialect.headers, "f.csv"), rowOf: dates.rowOf }, warnings);
  return { series, warnings: warnings.slice(before), all: series.map((s) => [s.name, Array.from(s.timestamps), Array.from(s.values)]) };
}

describe("valueRange", () => {
  it("gives the positions of the first and last value", () => {
    const values = Float64Array.from([NaN, 1, NaN, 2, NaN]);
    expect(valueRange(Uint32Array.from([0, 1, 2, 3, 4]), values)).toEqual([1, 3]);
    expect(valueRange(Uint32Array.from([4, 3, 2, 1, 0]), values)).toEqual([1, 3]);
    expect(valueRange(Uint32Array.from([0, 2, 4]), values)).toBeNull();
  });
});

describe("buildSeries", () => {
  it("copies the rows in the given order and infers frequency and gaps", () => {
    const day = 86_400_000;
    const ts = Float64Array.from([3 * day, 0, day, 4 * day]);
    const s = buildSeries("x", Uint32Array.from([1, 2, 0, 3]), ts, Float64Array.from([30, 0, NaN, 40]));
    expect(Array.from(s.timestamps)).toEqual([0, day, 3 * day, 4 * day]);
    expect(Array.from(s.values)).toEqual([0, NaN, 30, 40]);
    expect([s.frequency, s.stepMs]).toEqual(["daily", day]);
    // day 1 has no value and day 2 has no row: one hole of two steps
    expect(s.gaps).toEqual([{ afterTs: 0, beforeTs: 3 * day, missingSteps: 2 }]);
    expect(s.missingCount).toBe(2);
  });
});

describe("buildAllSeries", () => {
  it("sorts each series by time and trims leading and trailing missing values per column", () => {
    const { all, warnings } = built("date,a,b\n2024-01-03,3,\n2024-01-01,,1\n2024-01-02,2,2\n");
    expect(all).toEqual([
      ["a", [utc(2024, 1, 2), utc(2024, 1, 3)], [2, 3]],
      ["b", [utc(2024, 1, 1), utc(2024, 1, 2)], [1, 2]],
    ]);
    expect(warnings).toEqual([]); // every row is in a series
  });

  it("counts rows with a date and no value outside every series in a warning", () => {
    const { all, warnings } = built("date,v\n2024-01-01,\n2024-01-02,1\n2024-01-03,\n2024-01-04,2\n2024-01-05,NA\n2024-01-06,\n");
    expect(all).toEqual([["f", [2, 3, 4].map((d) => utc(2024, 1, d)), [1, NaN, 2]]]);
    expect(warnings).toEqual(["Rows 2, 6 and 7 have only a date and no values, outside the span of their series; they were not imported."]);
    expect(built("date,v\n2024-01-01,1\n2024-01-02,\n").warnings).toEqual([
      "Row 3 has only a date and no values, outside the span of its series; it was not imported.",
    ]);
  });

  it("lists at most ten such rows and counts the rest", () => {
    const rows = Array.from({ length: 14 }, (_, i) => `2024-02-${String(i + 1).padStart(2, "0")},`);
    const { warnings } = built(`date,v\n2024-01-31,1\n${rows.join("\n")}\n`);
    expect(warnings).toEqual(["Rows 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 4 more have only a date and no values, outside the span of their series; they were not imported."]);
  });

  it("does not count rows of a series with no values twice: the series is named instead", () => {
    const { all, warnings } = built("series,date,v\nA,2024-01-01,1\nA,2024-01-02,2\nB,2024-01-01,\nB,2024-01-02,\n");
    expect(all.map((s) => s[0])).toEqual(["A"]);
    expect(warnings).toEqual(['Series "B" has no values; it was not imported.']);
  });

  it("keeps rows without an id as the series (blank), with a warning", () => {
    const { all, warnings } = built("series,date,v\nA,2024-01-01,1\n,2024-01-01,2\nA,2024-01-02,3\n");
    expect(all.map((s) => [s[0], s[2]])).toEqual([["A", [1, 3]], ["(blank)", [2]]]);
    expect(warnings).toEqual(['Some rows have no "series"; they form the series "(blank)".']);
  });

  it("refuses repeated dates within a series, naming the rows, date and series", () => {
    const e = csvError(() => built("series,date,v\nA,2024-01-01,1\nB,2024-01-01,2\nA,2024-01-01,3\n"));
    expect(e.code).toBe("DUPLICATE_TIMESTAMP");
    expect(e.message).toBe("Rows 2 and 4 have the same date 2024-01-01 for series A.");
    expect(e.details).toMatchObject({ rows: [2, 4], value: "2024-01-01", series: "A", count: 2 });
  });
});
