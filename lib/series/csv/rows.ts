/**
 * Stage 2, streaming rows: one pass of papaparse over the whole text (step mode: one short-lived
 * array per row) that fills typed arrays, one slot per data row. Value columns get their numbers
 * parsed on the spot (a fast path for plain decimals); text columns get an integer code per
 * distinct value (the series-id candidates); dates go through the DateReader.
 *
 * Every record is accounted for: a data row, a blank line, a row of empty cells (counted, for a
 * warning), or a CsvImportError naming its row (an empty date, extra fields, a broken quote).
 */
import Papa from "papaparse";
import { CsvImportError } from "../errors";
import { fastNumber, isInfinityToken, parseNumberCell } from "../numbers";
import { GrowableF64, GrowableI32 } from "./buffers";
import type { DateColumns } from "./date-column";
import { type Dialect, isBlankRow, spreadsheetRow } from "./dialect";
import { isIdName } from "./names";
import { isTextual } from "./profile";
import { type DateContext, DateReader, type PendingDates } from "./timestamps";

/** Distinct values a text column may hold and still be a series id (beyond: a comment or UUID column). */
export const MAX_TEXT_KEYS = 100_000;

/** A column read as numbers. `numbers + nonFinite + texts` are its non-missing cells. */
export interface NumericColumn {
  col: number;
  /** One value per row; NaN = missing (or not a number: see texts). */
  values: GrowableF64;
  /** Finite numbers. */
  numbers: number;
  /** Numbers no double holds (`1e999`) and `Infinity` spellings. */
  nonFinite: number;
  firstNonFiniteRecord: number;
  firstNonFiniteValue: string;
  /** Cells that are neither numbers nor missing-value tokens. */
  texts: number;
  firstTextRecord: number;
  firstTextValue: string;
}

/** A column read as text: an integer code per row into `names` (the distinct trimmed values). */
export interface TextColumn {
  col: number;
  codes: GrowableI32;
  map: Map<string, number>;
  names: string[];
  /** Over MAX_TEXT_KEYS distinct values: no longer coded and no series id (its rows are still read). */
  capped: boolean;
  /** Named like an id (`series`, `symbol` ...). */
  named: boolean;
}

/** Everything the pass read; arrays hold `n` rows. */
export interface RowTable {
  n: number;
  /** The record index (in the dialect's text) of each row. */
  records: Int32Array;
  /** Each row's timestamp; NaN where the date is pending. */
  ts: Float64Array;
  pending: PendingDates;
  numeric: NumericColumn[];
  text: TextColumn[];
  /** Records made only of empty cells (`,,,`), skipped: the first few, and how many. */
  emptyRecords: number[];
  emptyCount: number;
}

/** How many empty rows a warning lists. */
const LISTED_EMPTY = 10;

/**
 * Each column's role: the date columns are taken; a column named like an id, or mostly text in
 * the sample, is a text column; the rest are numeric.
 */
export function columnRoles(d: Dialect, dates: DateColumns): { numeric: number[]; text: number[] } {
  const numeric: number[] = [];
  const text: number[] = [];
  for (let c = 0; c < d.headers.length; c++) {
    if (c === dates.date || c === dates.time || c === dates.month || c === dates.day) continue;
    if (isIdName(d.headers[c]) || isTextual(d.profiles[c])) text.push(c);
    else numeric.push(c);
  }
  return { numeric, text };
}

function countLines(text: string): number {
  let n = 0;
  let i = -1;
  while ((i = text.indexOf("\n", i + 1)) >= 0) n++;
  return n + 1;
}

/** Streams every record of the dialect's text. Throws CsvImportError (BAD_DATE, BAD_ROW, HEADER_ONLY). */
export function streamRows(d: Dialect, ctx: DateContext): RowTable {
  const roles = columnRoles(d, ctx.cols);
  const cap = countLines(d.text) + 2;
  const numeric: NumericColumn[] = roles.numeric.map((col) => ({
    col, values: new GrowableF64(cap), numbers: 0, nonFinite: 0, firstNonFiniteRecord: -1, firstNonFiniteValue: "", texts: 0, firstTextRecord: -1, firstTextValue: "",
  }));
  const text: TextColumn[] = roles.text.map((col) => ({
    col, codes: new GrowableI32(cap), map: new Map(), names: [], capped: false, named: isIdName(d.headers[col]),
  }));
  const records = new GrowableI32(cap);
  const ts = new GrowableF64(cap);
  const pending: PendingDates = { rows: [], texts: [], times: ctx.cols.time >= 0 ? [] : null };
  const emptyRecords: number[] = [];
  let emptyCount = 0;
  const reader = new DateReader(ctx);
  const width = d.headers.length;
  const dateCol = ctx.cols.date;
  const timeCol = ctx.cols.time;
  const markCode = d.mark === "." ? 46 : 44;
  const prevCell: string[] = text.map(() => "\u0000");
  const prevCode: number[] = text.map(() => -1);
  let n = 0;
  let record = 0; // index of the next record

  const rowError = (rec: number, message: (row: number) => string, details: Record<string, unknown> = {}): CsvImportError => {
    const row = spreadsheetRow(d, rec);
    return new CsvImportError("BAD_ROW", message(row), { row, ...details });
  };

  /** A cell the fast path did not read: a slower number form, a missing token, an infinity, or text. */
  const slowNumber = (nc: NumericColumn, cell: string, rec: number): number => {
    const v = parseNumberCell(cell, d.mark);
    if (v === undefined ? isInfinityToken(cell) : v === Infinity || v === -Infinity) {
      if (nc.nonFinite++ === 0) {
        nc.firstNonFiniteRecord = rec;
        nc.firstNonFiniteValue = cell;
      }
      return NaN;
    }
    if (v === undefined) {
      if (nc.texts++ === 0) {
        nc.firstTextRecord = rec;
        nc.firstTextValue = cell;
      }
      return NaN;
    }
    if (v === v) nc.numbers++;
    return v;
  };

  const codeOf = (tc: TextColumn, k: number, cell: string): number => {
    if (cell === prevCell[k]) return prevCode[k];
    const key = cell.trim();
    let code = tc.map.get(key);
    if (code === undefined) {
      code = tc.names.length;
      tc.map.set(key, code);
      tc.names.push(key);
    }
    prevCell[k] = cell;
    prevCode[k] = code;
    return code;
  };

  const onRow = (row: string[], rec: number): void => {
    const dateCell = row[dateCol];
    if (dateCell === undefined || dateCell.trim() === "") {
      if (isBlankRow(row)) {
        if (row.length > 1 && emptyCount++ < LISTED_EMPTY) emptyRecords.push(rec);
        return;
      }
      const at = spreadsheetRow(d, rec);
      throw new CsvImportError("BAD_DATE", `Row ${at}, column "${ctx.cols.header}": the date is empty.`, { row: at, column: ctx.cols.header, value: "" });
    }
    if (row.length > width) {
      for (let c = width; c < row.length; c++) {
        if (row[c].trim() !== "") {
          throw rowError(rec, (at) => `Row ${at} has ${row.length} fields but the header has ${width}: check the delimiter and quotes on that line.`, {
            fields: row.length, expected: width,
          });
        }
      }
    }
    if (n >= records.a.length) {
      const want = n * 2;
      records.grow(want);
      ts.grow(want);
      for (const nc of numeric) nc.values.grow(want);
      for (const tc of text) if (!tc.capped) tc.codes.grow(want);
    }
    records.a[n] = rec;
    const ms = reader.read(row, rec);
    if (ms !== ms) {
      pending.rows.push(n);
      pending.texts.push(dateCell);
    }
    ts.a[n] = ms;
    if (pending.times) pending.times.push(row[timeCol] ?? "");
    for (let k = 0; k < numeric.length; k++) {
      const nc = numeric[k];
      const cell = row[nc.col];
      let v = cell === undefined ? NaN : fastNumber(cell, markCode);
      if (v === v) nc.numbers++;
      else if (cell !== undefined && cell !== "") v = slowNumber(nc, cell, rec);
      nc.values.a[n] = v;
    }
    for (let k = 0; k < text.length; k++) {
      const tc = text[k];
      if (tc.capped) continue; // no id: nothing to record, but the row is kept
      tc.codes.a[n] = codeOf(tc, k, row[tc.col] ?? "");
      if (tc.names.length > MAX_TEXT_KEYS) {
        tc.capped = true;
        tc.map.clear();
        tc.names.length = 0;
      }
    }
    n++;
  };

  let failure: unknown = null;
  // papaparse in step mode (header:false arrays): one short-lived array per row, nothing kept.
  // (Its chunk mode keeps every chunk alive through recursion: 3x the memory for the same work.)
  // For a string input it runs synchronously: every row is handled before parse() returns.
  Papa.parse<string[]>(d.text, {
    delimiter: d.delimiter,
    newline: "\n",
    skipEmptyLines: false,
    step: (results: Papa.ParseStepResult<string[]>, parser: Papa.Parser) => {
      if (failure) return;
      const rec = record++;
      try {
        if (results.errors.length > 0) checkQuotes(results, rec, rowError);
        if (rec >= d.firstDataRecord) onRow(results.data, rec);
      } catch (e) {
        failure = e;
        parser.abort();
      }
    },
  });
  if (failure) throw failure;
  if (n === 0) throw new CsvImportError("HEADER_ONLY", "The file has a header row but no data rows.", { columns: d.headers });
  return {
    n,
    records: records.a.subarray(0, n),
    ts: ts.a.subarray(0, n),
    pending,
    numeric,
    text,
    emptyRecords,
    emptyCount,
  };
}

/**
 * A quote that is never closed swallows the rest of the file; a quoted field that goes on after
 * its closing quote (`"12"x`) runs on to the next quote, swallowing the lines between. Either way
 * rows would vanish into one cell: refuse the file, naming the row.
 */
function checkQuotes(
  results: Papa.ParseStepResult<string[]>,
  rec: number,
  rowError: (rec: number, message: (row: number) => string) => CsvImportError,
): void {
  for (const e of results.errors) {
    if (e.code === "MissingQuotes") throw rowError(rec, (at) => `Row ${at} has a quote (") that is never closed.`);
    if (e.code === "InvalidQuotes" && results.data.some((cell) => cell.includes("\n"))) {
      throw rowError(rec, (at) => `Row ${at} has a quoted field that goes on after its closing quote (") and runs into the next lines: check the quotes on that line.`);
    }
  }
}
