/**
 * Stage 3b, turning the date column's cells into timestamps (ms since the epoch, UTC). During the
 * streaming pass `DateReader` reads what it can decide alone (ISO dates, bare-number dates, split
 * year/month/day columns); every other cell waits, as text, for `resolveTimestamps`, which decides
 * the day/month order of `a/b/YYYY` dates on the whole column, then adds any time-of-day column.
 */
import { CsvImportError } from "../errors";
import {
  type DayMonthOrder,
  formatTimestamp,
  parseDateText,
  parseIsoFast,
  parseNumericDate,
  parseSlashFast,
  parseTimeOfDay,
  slashEvidence,
  slashParts,
  utcMs,
} from "../dates";
import { type DecimalMark, isMissingToken } from "../numbers";
import { type DateColumns, DATE_EXAMPLES, datePart } from "./date-column";
import { quoteCell } from "./messages";

/** The largest |timestamp| a JavaScript Date (and so every export) can hold: 100,000,000 days. */
export const MAX_ABS_TIMESTAMP = 8.64e15;

/** Date cells the streaming pass could not read alone, and the time-of-day cells. */
export interface PendingDates {
  /** Row indices whose date waits for the column-wide pass... */
  rows: number[];
  /** ...and their cell text. */
  texts: string[];
  /** The time-of-day cell of every row when there is a time column, else null. */
  times: string[] | null;
}

/** What the date messages need to know about the file. */
export interface DateContext {
  cols: DateColumns;
  headers: readonly string[];
  delimiter: string;
  mark: DecimalMark;
  /** Spreadsheet row number of a record. */
  rowOf: (record: number) => number;
}

function badCell(ctx: DateContext, record: number, column: number, value: string, what: string): CsvImportError {
  const row = ctx.rowOf(record);
  const header = ctx.headers[column];
  return new CsvImportError("BAD_DATE", `Row ${row}, column "${header}": ${quoteCell(value)} ${what}.`, { row, column: header, value });
}

/** Reads the date of each streamed row: its timestamp, or NaN when the cell must wait for resolveTimestamps. */
export class DateReader {
  private prevText = "\u0000";
  private prevMs = NaN;

  constructor(private readonly ctx: DateContext) {}

  /** The row's timestamp or NaN; throws BAD_DATE for a bad year/month/day or a number too large for a date. */
  read(row: readonly string[], record: number): number {
    const cols = this.ctx.cols;
    if (cols.month >= 0) return this.readParts(row, record);
    const cell = row[cols.date];
    if (cell === this.prevText) return this.prevMs;
    let ms: number;
    if (cols.numericKind === null) ms = parseIsoFast(cell);
    else {
      ms = parseNumericDate(cell, cols.numericKind);
      // 20 digits of "Unix milliseconds" parse, but no calendar (or Date) holds them
      if (Math.abs(ms) > MAX_ABS_TIMESTAMP) throw badCell(this.ctx, record, cols.date, cell, "is not a date (too far from 1970)");
    }
    this.prevText = cell;
    this.prevMs = ms;
    return ms;
  }

  /** `year,month[,day]` columns: the first of the month unless there is a day column. */
  private readParts(row: readonly string[], record: number): number {
    const { cols } = this.ctx;
    const bad = (c: number, what: string) => badCell(this.ctx, record, c, row[c] ?? "", what);
    const y = datePart(row[cols.date], 9999, false);
    if (y < 0) throw bad(cols.date, "is not a year");
    const m = datePart(row[cols.month] ?? "", 12, true);
    if (m < 0) throw bad(cols.month, "is not a month");
    const d = cols.day >= 0 ? datePart(row[cols.day] ?? "", 31, false) : 1;
    const ms = d < 0 ? NaN : utcMs(y, m, d);
    if (ms !== ms) throw bad(cols.day, "is not a day of the month");
    return ms;
  }
}

/**
 * Fills in the pending dates of `ts` (one slot per row, `records` their record indices) and adds
 * the time-of-day column. Throws AMBIGUOUS_DATE when the column proves both day/month orders, and
 * BAD_DATE naming the first row whose date (or time) cannot be read.
 */
export function resolveTimestamps(ts: Float64Array, records: Int32Array, pending: PendingDates, ctx: DateContext, warnings: string[]): void {
  const { cols } = ctx;
  const { rows, texts } = pending;
  if (texts.length > 0) {
    const order = cols.numericKind === null ? dayMonthOrder(texts, rows, records, ctx, warnings) : "mdy";
    let example = "";
    for (let i = 0; i < ts.length && example === ""; i++) if (ts[i] === ts[i]) example = formatTimestamp(ts[i]);
    const cache = new Map<string, number>();
    for (let k = 0; k < texts.length; k++) {
      const s = texts[k];
      // fast shapes first; the cache only serves the slower regex-based forms (month names ...)
      let ms = cols.numericKind === null ? parseSlashFast(s, order) : parseNumericDate(s, cols.numericKind);
      if (ms !== ms && cols.numericKind === null) {
        const hit = cache.get(s);
        if (hit !== undefined) ms = hit;
        else {
          ms = parseDateText(s, order);
          if (cache.size < 50_000) cache.set(s, ms);
        }
      }
      if (ms !== ms) throw badCell(ctx, records[rows[k]], cols.date, s, `is not a date${exampleHint(example || texts[0], s)}`);
      if (example === "") example = s;
      ts[rows[k]] = ms;
    }
  }
  if (pending.times) {
    const times = pending.times;
    for (let i = 0; i < ts.length; i++) {
      const t = times[i];
      const tod = isMissingToken(t) ? 0 : parseTimeOfDay(t);
      if (tod !== tod) throw badCell(ctx, records[i], cols.time, t, "is not a time of day");
      ts[i] += tod;
    }
  }
}

/**
 * The order of `a/b/YYYY` dates: proven by a part above 12 (both proofs: AMBIGUOUS_DATE), else
 * guessed with a warning, else month first (no such dates at all).
 */
function dayMonthOrder(texts: readonly string[], rows: readonly number[], records: Int32Array, ctx: DateContext, warnings: string[]): DayMonthOrder {
  const ev = slashEvidence(texts);
  const header = ctx.cols.header;
  if (ev.dmyAt >= 0 && ev.mdyAt >= 0) {
    const at = [ctx.rowOf(records[rows[ev.dmyAt]]), ctx.rowOf(records[rows[ev.mdyAt]])];
    throw new CsvImportError(
      "AMBIGUOUS_DATE",
      `Column "${header}" mixes day-first and month-first dates: row ${at[0]} has ${quoteCell(texts[ev.dmyAt])} (day first) and row ${at[1]} has ${quoteCell(texts[ev.mdyAt])} (month first).`,
      { column: header, rows: at },
    );
  }
  if (ev.dmyAt >= 0) return "dmy";
  if (ev.mdyAt >= 0 || ev.slashCount === 0) return "mdy";
  const order = chooseAmbiguousOrder(texts, ctx.delimiter, ctx.mark);
  const example = texts.find((t) => slashParts(t.trim()) !== null) ?? texts[0];
  warnings.push(
    `Dates in column "${header}" such as ${quoteCell(example)} could be day/month or month/day; they were read as ${order === "dmy" ? "day/month/year" : "month/day/year"}.`,
  );
  return order;
}

function exampleHint(first: string, bad: string): string {
  if (first === bad) return ` (expected e.g. ${DATE_EXAMPLES})`;
  return ` (other rows have dates like ${quoteCell(first)})`;
}

/**
 * For a column where every `a/b/YYYY` date has both parts <= 12: prefer the order under which the
 * rows are in time order (as exports usually are); otherwise day-first in semicolon or
 * decimal-comma files (European exports), month-first elsewhere.
 */
export function chooseAmbiguousOrder(values: readonly string[], delimiter: string, mark: DecimalMark): DayMonthOrder {
  const monotone = (order: DayMonthOrder): boolean => {
    let prev = -Infinity;
    let prevDec = Infinity;
    let inc = true;
    let dec = true;
    for (let i = 0; i < values.length && (inc || dec); i++) {
      const v = parseDateText(values[i], order);
      if (Number.isNaN(v)) continue;
      if (v < prev) inc = false;
      if (v > prevDec) dec = false;
      prev = v;
      prevDec = v;
    }
    return inc || dec;
  };
  const mdy = monotone("mdy");
  const dmy = monotone("dmy");
  if (dmy && !mdy) return "dmy";
  if (mdy && !dmy) return "mdy";
  return delimiter === ";" || mark === "," ? "dmy" : "mdy";
}
