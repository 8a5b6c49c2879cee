/** A value so far out of scale that it is most likely a typo is named in a warning; the import goes on. */
import { describe, expect, it } from "vitest";
import { parseCsv } from "../../../lib/series";
import { OUT_OF_SCALE, outOfScale } from "../../../lib/series/csv/build";

const month = (i: number) => `${2000 + Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}-01`;
const csv = (series: Record<string, number[]>) =>
  "series,date,value\n" + Object.entries(series).flatMap(([name, v]) => v.map((x, i) => `${name},${month(i)},${x}`)).join("\n") + "\n";
const typoWarnings = (text: string) => parseCsv(text, { fileName: "t.csv" }).warnings.filter((w) => /typo/.test(w));

describe("values out of scale", () => {
  it("names the series, value, date, spreadsheet row and the others' range, and still imports the value", () => {
    const level = Array.from({ length: 36 }, (_, i) => 100 + (i % 12) - 5); // 95 to 106
    const withTypo = [...level];
    withTypo[20] = 1_060_000; // three extra digits typed after 106
    const text = csv({ fine: level, sales: withTypo });
    const d = parseCsv(text, { fileName: "t.csv" });
    // header, 36 rows of "fine", then sales' row 21 is spreadsheet row 1 + 36 + 21
    expect(d.warnings.filter((w) => /typo/.test(w))).toEqual([
      'Series "sales" has 1060000 on 2001-09-01 (row 58), more than 1,000 times the spread of its other values (95 to 106) away from them; check it for a typo.',
    ]);
    expect(d.series.find((s) => s.name === "sales")!.values[20]).toBe(1_060_000);
  });

  it("calls out a value far below the others too", () => {
    const v = Array.from({ length: 24 }, (_, i) => 50 + Math.sin(i)); // 49.04 to 50.99
    v[5] = -4_900_000;
    expect(typoWarnings(csv({ s: v }))).toHaveLength(1);
    expect(typoWarnings(csv({ s: v }))[0]).toMatch(/^Series "s" has -4900000 on 2000-06-01 \(row 7\)/);
  });

  it("leaves real shapes alone: growth, a season with a burst, intermittent counts, two extra digits, a flat series with one step", () => {
    const growth = Array.from({ length: 120 }, (_, i) => 1.12 ** i); // 1 to 7.2e5
    const burst = Array.from({ length: 48 }, (_, i) => 100 + 30 * Math.sin((2 * Math.PI * i) / 12));
    burst[40] = 3000; // a tenfold day: 2,870 above the rest, whose spread is 60
    const intermittent = Array.from({ length: 60 }, (_, i) => (i === 33 ? 12 : 0));
    const twoDigits = Array.from({ length: 36 }, (_, i) => 100 + (i % 12) - 5);
    twoDigits[7] = 10_600; // 106 with two extra digits: about 950 times the others' spread of 11
    const step = Array.from({ length: 30 }, (_, i) => (i === 29 ? 1e9 : 7)); // the others do not vary: nothing to judge by
    expect(typoWarnings(csv({ growth, burst, intermittent, twoDigits, step }))).toEqual([]);
  });

  it("outOfScale: the position of the lone value, by the threshold worked out by hand", () => {
    const at = (v: number[]) => outOfScale(Uint32Array.from(v.keys()), Float64Array.from(v));
    // others 0..1 (spread 1): the value must stand more than OUT_OF_SCALE above 1
    expect(at([0, 1, 0.5, 1 + OUT_OF_SCALE + 1e-6])).toBe(3);
    expect(at([0, 1, 0.5, 1 + OUT_OF_SCALE])).toBeNull();
    expect(at([0 - OUT_OF_SCALE - 1, 0, 1, 0.5])).toBe(0);
    expect(at([NaN, 2, NaN, 3, 1e9])).toBe(4);
    expect(at([5])).toBeNull();
  });
});
