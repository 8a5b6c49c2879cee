/**
 * Stage 5, building the series: the rows of each series id (or all rows) sorted by time, checked
 * for repeated dates, then one series per value column, trimmed of leading and trailing missing
 * values, with its frequency and gaps. Rows that end up in no series (a date without any value,
 * at the edge of every series) are counted in a warning.
 */
import { CsvImportError, MAX_LISTED_ROWS } from "../errors";
import { formatTimestamp } from "../dates";
import { findGaps, inferFrequency } from "../grid";
import { type Layout } from "./layout";
import { firstDuplicate, groupByKey, identity, sortByTime } from "./groups";
import { listRows, rowsSubject } from "./messages";
import type { NumericColumn, RowTable } from "./rows";
import type { ParsedSeries } from "./types";

/** What the build needs besides the rows and the layout. */
export interface BuildContext {
  /** The series' name for an id ("" without one) and a value column. */
  nameOf: (id: string, column: NumericColumn) => string;
  /** Spreadsheet row number of a record. */
  rowOf: (record: number) => number;
}

/**
 * Every series of the file (at least one: each value column holds a number). Throws
 * DUPLICATE_TIMESTAMP.
 */
export function buildAllSeries(table: RowTable, layout: Layout, ctx: BuildContext, warnings: string[]): ParsedSeries[] {
  const { n, ts, records } = table;
  const { key } = layout;
  const series: ParsedSeries[] = [];
  const imported = new Uint8Array(n); // 1 = the row is in a series (or named by a warning)
  const groups = key ? groupByKey(key.codes, n, key.names.length) : [identity(n)];
  for (let g = 0; g < groups.length; g++) {
    const idx = groups[g];
    if (idx.length === 0) continue;
    sortByTime(idx, ts);
    const id = key ? (key.names[g] === "" ? "(blank)" : key.names[g]) : "";
    if (key && key.names[g] === "") warnings.push(`Some rows have no ${key.header ? `"${key.header}"` : "series id"}; they form the series "(blank)".`);
    const dup = firstDuplicate(idx, ts);
    if (dup) throw duplicate(dup, ts, records, ctx, key ? id : null);
    let built = 0;
    for (const column of layout.values) {
      const name = ctx.nameOf(id, column);
      const range = valueRange(idx, column.values.a);
      if (!range) {
        warnings.push(key ? `Series "${name}" has no values; it was not imported.` : `Column "${name}" has no values; it was not imported.`);
        continue;
      }
      for (let i = range[0]; i <= range[1]; i++) imported[idx[i]] = 1;
      series.push(buildSeries(name, idx.subarray(range[0], range[1] + 1), ts, column.values.a));
      built++;
    }
    if (built === 0) for (const i of idx) imported[i] = 1; // the warnings above name the series
  }
  warnRowsWithoutValues(imported, records, ctx, warnings);
  return series;
}

function duplicate(dup: number[], ts: Float64Array, records: Int32Array, ctx: BuildContext, series: string | null): CsvImportError {
  const listed = dup.slice(0, MAX_LISTED_ROWS).map((i) => ctx.rowOf(records[i]));
  const date = formatTimestamp(ts[dup[0]]);
  return new CsvImportError(
    "DUPLICATE_TIMESTAMP",
    `Rows ${listRows(listed, dup.length)} have the same date ${date}${series !== null ? ` for series ${series}` : ""}.`,
    { rows: listed, value: date, ...(series !== null ? { series } : {}), count: dup.length },
  );
}

/** Positions in idx of the first and last row with a value in `values`, or null if it has none. */
export function valueRange(idx: Uint32Array, values: Float64Array): [number, number] | null {
  let first = 0;
  while (first < idx.length && Number.isNaN(values[idx[first]])) first++;
  if (first === idx.length) return null;
  let last = idx.length - 1;
  while (Number.isNaN(values[idx[last]])) last--;
  return [first, last];
}

/** One series from its time-sorted rows (which start and end with a value), with frequency and gaps. */
export function buildSeries(name: string, idx: Uint32Array, ts: Float64Array, column: Float64Array): ParsedSeries {
  const timestamps = new Float64Array(idx.length);
  const values = new Float64Array(idx.length);
  for (let i = 0; i < idx.length; i++) {
    timestamps[i] = ts[idx[i]];
    values[i] = column[idx[i]];
  }
  const { frequency, stepMs } = inferFrequency(timestamps);
  const gaps = findGaps(timestamps, values, frequency, stepMs);
  let missingCount = 0;
  for (const g of gaps) missingCount += g.missingSteps;
  return { name, timestamps, values, frequency, stepMs, gaps, missingCount };
}

/** A date with no value in any column, before the first or after the last value of its series. */
function warnRowsWithoutValues(imported: Uint8Array, records: Int32Array, ctx: BuildContext, warnings: string[]): void {
  const listed: number[] = [];
  let count = 0;
  for (let i = 0; i < imported.length; i++) {
    if (imported[i]) continue;
    if (count++ < MAX_LISTED_ROWS) listed.push(ctx.rowOf(records[i]));
  }
  if (count === 0) return;
  listed.sort((a, b) => a - b);
  const [verb, their, they] = count === 1 ? ["has", "its", "it was"] : ["have", "their", "they were"];
  warnings.push(`${rowsSubject(listed, count)} ${verb} only a date and no values, outside the span of ${their} series; ${they} not imported.`);
}
