import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseCsv, SEASON_LENGTH } from "../../../lib/series";
import { arr, day, seriesNamed } from "./helpers";

const ROOT = path.resolve(import.meta.dirname, "../../..");
const M3 = path.resolve(ROOT, "../shared/data/m3-monthly-dev");
const VEGA = path.join(ROOT, "node_modules/vega-datasets/data");

const read = (file: string): Uint8Array => new Uint8Array(readFileSync(file));

/** A naive reading of a plain comma file (no quotes), to cross-check the parser. */
function naiveRows(file: string): string[][] {
  return readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => l.split(","));
}

describe("real data", () => {
  it("has the data files", () => {
    for (const f of [path.join(M3, "train.csv"), path.join(M3, "wide-example.csv"), path.join(VEGA, "stocks.csv"), path.join(VEGA, "sp500.csv")]) {
      expect(existsSync(f), f).toBe(true);
    }
  });

  it("M3 train.csv: 100 monthly series in long format, every row kept", () => {
    const file = path.join(M3, "train.csv");
    const d = parseCsv(read(file), { fileName: "train.csv" });
    expect(d.format).toBe("long");
    expect(d.dateColumn).toBe("date");
    expect(d.rowCount).toBe(10_092);
    expect(d.series).toHaveLength(100);
    expect(d.warnings).toEqual([]);
    let points = 0;
    for (const s of d.series) {
      expect(s.frequency, s.name).toBe("monthly");
      expect(s.stepMs).toBeNull();
      expect(s.gaps).toEqual([]);
      expect(s.timestamps.length).toBeGreaterThanOrEqual(50);
      expect(s.timestamps.length).toBeLessThanOrEqual(126);
      points += s.values.length;
    }
    expect(points).toBe(10_092);
    expect(SEASON_LENGTH[d.series[0].frequency]).toBe(12);
    // every value equals the file's text, in file order per series
    const bySeries = new Map<string, string[][]>();
    for (const r of naiveRows(file)) bySeries.set(r[0], [...(bySeries.get(r[0]) ?? []), r]);
    expect([...bySeries.keys()]).toEqual(d.series.map((s) => s.name));
    for (const s of d.series) {
      const rows = bySeries.get(s.name) ?? [];
      expect(arr(s.values)).toEqual(rows.map((r) => Number(r[2])));
      expect(s.timestamps[0]).toBe(parseIsoDay(rows[0][1]));
    }
    const n1407 = seriesNamed(d, "N1407");
    expect([n1407.timestamps[0], n1407.values[0]]).toEqual([day(1990, 1, 1), 1200]);
    // N2810 starts in year 1 (no calendar in the source): still monthly, no Date.UTC 1900 shift
    const n2810 = seriesNamed(d, "N2810");
    expect(n2810.timestamps[0]).toBe(parseIsoDay("0001-01-01"));
  });

  it("M3 wide-example.csv: 5 wide series with blank cells equal to the same series in train.csv", () => {
    const wide = parseCsv(read(path.join(M3, "wide-example.csv")), { fileName: "wide-example.csv" });
    expect(wide.format).toBe("wide");
    expect(wide.series.map((s) => s.name)).toEqual(["N1894", "N1900", "N1915", "N1993", "N2668"]);
    const long = parseCsv(read(path.join(M3, "train.csv")), { fileName: "train.csv" });
    for (const s of wide.series) {
      const ref = seriesNamed(long, s.name);
      expect(s.frequency).toBe("monthly");
      expect(arr(s.timestamps)).toEqual(arr(ref.timestamps));
      expect(arr(s.values)).toEqual(arr(ref.values));
    }
  });

  it("vega-datasets stocks.csv: 5 monthly series from `symbol,date,price` with `Jan 1 2000` dates", () => {
    const d = parseCsv(read(path.join(VEGA, "stocks.csv")), { fileName: "stocks.csv" });
    expect(d.format).toBe("long");
    expect(d.series.map((s) => s.name)).toEqual(["MSFT", "AMZN", "IBM", "GOOG", "AAPL"]);
    expect(d.rowCount).toBe(560);
    for (const s of d.series) expect(s.frequency).toBe("monthly");
    const msft = seriesNamed(d, "MSFT");
    expect([msft.timestamps[0], msft.values[0]]).toEqual([day(2000, 1, 1), 39.81]);
    expect(msft.timestamps[msft.timestamps.length - 1]).toBe(day(2010, 3, 1));
    expect(seriesNamed(d, "GOOG").timestamps[0]).toBe(day(2004, 8, 1));
    expect(d.series.reduce((n, s) => n + s.values.length, 0)).toBe(560);
  });

  it("vega-datasets sp500.csv: one monthly series named after the file", () => {
    const d = parseCsv(read(path.join(VEGA, "sp500.csv")), { fileName: "sp500.csv" });
    expect(d.series).toHaveLength(1);
    const s = d.series[0];
    expect(s.name).toBe("sp500");
    expect(s.frequency).toBe("monthly");
    expect(s.values.length).toBe(123);
    expect([s.timestamps[0], s.values[0]]).toEqual([day(2000, 1, 1), 1394.46]);
  });
});

function parseIsoDay(s: string): number {
  const [y, m, d] = s.split("-").map(Number);
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getTime();
}
