/**
 * Stage 5, building the series: the rows of each series id (or all rows) sorted by time, checked
 * for repeated dates, then one series per value column, trimmed of leading and trailing missing
 * values, with its frequency and gaps. Rows that end up in no series (a date without any value,
 * at the edge of every series) are counted in a warning, and so is a value so far out of scale
 * that it is most likely a typo.
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
      const rows = idx.subarray(range[0], range[1] + 1);
      series.push(buildSeries(name, rows, ts, column.values.a));
      const typo = outOfScale(rows, column.values.a);
      if (typo !== null) warnings.push(outOfScaleWarning(name, typo, rows, ts, column.values.a, records, ctx));
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

/**
 * How many times the spread of a series' other values a lone value must stand off them to be
 * called out. In a series whose values spread over a tenth of its level, three extra digits put a
 * value about 10,000 spreads off, two extra digits about 1,000: the first is called out, the
 * second (which a real burst can reach) is not. A trend or season never is: its largest values
 * have others close to them.
 */
export const OUT_OF_SCALE = 1000;

/**
 * The position in `rows` of a value that stands more than OUT_OF_SCALE times the spread of all the
 * other values away from them (above the largest or below the smallest), or null. A series whose
 * other values are all equal has no spread to judge by, and is never called out.
 */
export function outOfScale(rows: Uint32Array, values: Float64Array): number | null {
  // The two largest and two smallest values, with where the extreme ones are.
  let max = -Infinity, max2 = -Infinity, min = Infinity, min2 = Infinity, atMax = -1, atMin = -1;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (Number.isNaN(v)) continue;
    if (v > max) [max2, max, atMax] = [max, v, i];
    else if (v > max2) max2 = v;
    if (v < min) [min2, min, atMin] = [min, v, i];
    else if (v < min2) min2 = v;
  }
  if (!Number.isFinite(max2)) return null; // fewer than two values
  const high = max2 - min, low = max - min2; // the spread of the others, without the largest / the smallest
  if (high > 0 && max - max2 > OUT_OF_SCALE * high) return atMax;
  if (low > 0 && min2 - min > OUT_OF_SCALE * low) return atMin;
  return null;
}

function outOfScaleWarning(name: string, at: number, rows: Uint32Array, ts: Float64Array, values: Float64Array, records: Int32Array, ctx: BuildContext): string {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < rows.length; i++) {
    const v = values[rows[i]];
    if (i === at || Number.isNaN(v)) continue;
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const r = rows[at];
  return `Series "${name}" has ${values[r]} on ${formatTimestamp(ts[r])} (row ${ctx.rowOf(records[r])}), more than ${OUT_OF_SCALE.toLocaleString("en-US")} times the spread of its other values (${lo} to ${hi}) away from them; check it for a typo.`;
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
