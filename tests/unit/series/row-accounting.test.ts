/**
 * Every row of a file is imported, refused with an error naming it, or counted in a warning:
 * end-to-end checks of parseCsv against row counts made independently (plain line splitting).
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CsvImportError, parseCsv, type ParsedDataset } from "../../../lib/series";
import { FIXTURES } from "./helpers";

const SHARED = path.resolve(import.meta.dirname, "../../../../shared/data");
const MINUTE = 60_000;
const T0 = Date.UTC(2000, 0, 1);
const iso = (ms: number) => new Date(ms).toISOString();

/** Data rows of an unquoted file, counted by splitting lines: not blank, not only delimiters, minus the header. */
function plainDataRows(text: string): number {
  return text.split(/\r\n|\n|\r/).filter((l) => !/^[\s,;\t|]*$/.test(l)).length - 1;
}

/** Rows a warning says were not imported ("Row 5 has only a date ...", "Rows 2, 3 and 4 more have only a date ..."). */
function warnedRows(d: ParsedDataset): number {
  let n = 0;
  for (const w of d.warnings) {
    const m = /^Rows? ([\d, ]+?)(?: and (\d+) more)?(?: and (\d+))? (?:has|have) only a date/.exec(w);
    if (!m) continue;
    n += m[1].split(",").length + (m[2] ? Number(m[2]) : 0) + (m[3] ? 1 : 0);
  }
  return n;
}

/** Rows that reached a series: distinct timestamps of a wide file; in a long file with one value column, the sum of lengths. */
function importedRows(d: ParsedDataset): number {
  if (d.format === "long") return d.series.reduce((n, s) => n + s.timestamps.length, 0);
  const seen = new Set<number>();
  for (const s of d.series) for (const t of s.timestamps) seen.add(t);
  return seen.size;
}

describe("a text column with more than 100,000 distinct values", () => {
  it("keeps every row of a 150,000-row file with a unique comment per row", () => {
    const n = 150_000;
    const lines = ["date,value,comment"];
    for (let i = 0; i < n; i++) lines.push(`${iso(T0 + i * MINUTE)},${i},note ${i.toString(36)}-${(i * 7919) % 100_003}`);
    const d = parseCsv(lines.join("\n") + "\n", { fileName: "notes.csv" });
    expect(d.rowCount).toBe(n);
    expect(d.series).toHaveLength(1);
    const s = d.series[0];
    expect(s.timestamps.length).toBe(n);
    // spot checks against the generator, across the point where the column passed 100,000 values
    for (const i of [0, 99_999, 100_000, 100_001, 123_456, n - 1]) {
      expect(s.timestamps[i]).toBe(T0 + i * MINUTE);
      expect(s.values[i]).toBe(i);
    }
    expect(s.frequency).toBe("minute");
    expect(s.gaps).toEqual([]);
    expect(d.warnings).toEqual(['Column "comment" holds more than 100,000 different values, so it is no series id; it was not imported (its rows were).']);
  });

  it("still finds the series id of a long file beside a unique-per-row UUID column", () => {
    const perSeries = 60_000;
    const lines = ["series,date,value,uuid"];
    for (let i = 0; i < perSeries; i++) {
      for (const id of ["A", "B"]) {
        const v = id === "A" ? i : -i;
        lines.push(`${id},${iso(T0 + i * MINUTE)},${v},${id}-${i.toString(16).padStart(8, "0")}-4c2a`);
      }
    }
    const d = parseCsv(lines.join("\n") + "\n", { fileName: "u.csv" });
    expect(d.format).toBe("long");
    expect(d.rowCount).toBe(2 * perSeries);
    expect(d.series.map((s) => [s.name, s.values.length])).toEqual([["A", perSeries], ["B", perSeries]]);
    expect(d.series[1].values[perSeries - 1]).toBe(-(perSeries - 1));
    expect(d.series[1].timestamps[perSeries - 1]).toBe(T0 + (perSeries - 1) * MINUTE);
  });
});

describe("every other way a row could vanish", () => {
  it("refuses a quoted field that runs on past its closing quote and swallows lines", () => {
    const csv = 'date,v,note\n2024-01-01,1,"ok"x\n2024-01-02,2,y\n2024-01-03,3,"z"\n2024-01-04,4,w\n';
    expect(() => parseCsv(csv, { fileName: "q.csv" })).toThrow(/Row 2 has a quoted field that goes on after its closing quote/);
  });

  it("says which rows held only a date at the edges of every series", () => {
    const d = parseCsv("date,a,b\n2024-01-01,,\n2024-01-02,1,\n2024-01-03,,2\n2024-01-04,,\n", { fileName: "e.csv" });
    expect(d.rowCount).toBe(4);
    expect(d.warnings).toEqual(["Rows 2 and 5 have only a date and no values, outside the span of their series; they were not imported."]);
  });

  it("says which rows held only empty cells", () => {
    const d = parseCsv("date,v\n2024-01-01,1\n,\n2024-01-02,2\n , \n", { fileName: "e.csv" });
    expect(d.rowCount).toBe(2);
    expect(d.warnings).toEqual(["Rows 3 and 5 have only empty cells; they were skipped."]);
  });

  it("keeps the first row of a headerless file of Unix times (it is no header)", () => {
    const d = parseCsv("1704067200,5\n1704153600,6\n1704240000,7\n", { fileName: "u.csv" });
    expect(d.rowCount).toBe(3);
    expect(Array.from(d.series[0].values)).toEqual([5, 6, 7]);
    expect(d.series[0].timestamps[0]).toBe(Date.UTC(2024, 0, 1));
    expect(d.warnings.join(" ")).toMatch(/no header row/);
  });

  it("refuses a date too far from 1970 for Unix milliseconds past the sampled rows", () => {
    const rows = Array.from({ length: 2100 }, (_, i) => `${T0 + i * MINUTE},${i}`);
    rows[2090] = `99999999999999999999,1`;
    try {
      parseCsv(`epoch,v\n${rows.join("\n")}\n`, { fileName: "t.csv" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(CsvImportError);
      expect((e as CsvImportError).details).toMatchObject({ row: 2092, column: "epoch", value: "99999999999999999999" });
    }
  });
});

describe("row accounting on real files", () => {
  const files: string[] = readdirSync(FIXTURES).map((f) => path.join(FIXTURES, f));
  for (const set of existsSync(SHARED) ? readdirSync(SHARED) : []) {
    for (const f of readdirSync(path.join(SHARED, set))) if (f.endsWith(".csv")) files.push(path.join(SHARED, set, f));
  }

  it("has the fixtures and the shared data sets", () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it("imports or accounts for every data row of each file that parses, and names a row or the columns when it refuses one", () => {
    let checked = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      let d: ParsedDataset;
      try {
        d = parseCsv(new Uint8Array(readFileSync(file)), { fileName: path.basename(file) });
      } catch (e) {
        expect(e, file).toBeInstanceOf(CsvImportError);
        const err = e as CsvImportError;
        expect(err.details.row ?? err.details.rows ?? err.details.column ?? err.details.columns, `${file}: ${err.message}`).toBeDefined();
        continue;
      }
      if (text.includes('"')) continue; // quoted fields may span lines: a line count is no row count
      expect(d.rowCount, file).toBe(plainDataRows(text));
      const singleValueColumn = d.format !== "long" || d.series.every((s) => !s.name.includes(" "));
      if (singleValueColumn) expect(importedRows(d) + warnedRows(d), file).toBe(d.rowCount);
      checked++;
    }
    expect(checked).toBeGreaterThan(15);
  });
});
