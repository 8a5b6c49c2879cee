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
import { type DecimalMark, fastNumber, isInfinityToken, parseNumberCell } from "../numbers";
import { GrowableF64, GrowableI32 } from "./buffers";
import type { DateColumns } from "./date-column";
import { type Dialect, headerOnly, isBlankRow, spreadsheetRow } from "./dialect";
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
  /** The last cell coded and its code: consecutive rows often repeat an id. */
  lastCell: string;
  lastCode: number;
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
  const numeric = roles.numeric.map((col) => newNumericColumn(col, cap));
  const text = roles.text.map((col) => newTextColumn(col, isIdName(d.headers[col]), cap));
  const records = new GrowableI32(cap);
  const ts = new GrowableF64(cap);
  const pending: PendingDates = { rows: [], texts: [], times: ctx.cols.time >= 0 ? [] : null };
  const empty = { records: [] as number[], count: 0 };
  const reader = new DateReader(ctx);
  const markCode = d.mark === "." ? 46 : 44;
  let n = 0;

  /** One data record: skipped if blank, refused if malformed, else written to slot n. */
  const onRow = (row: string[], rec: number): void => {
    const dateCell = row[ctx.cols.date];
    if (dateCell === undefined || dateCell.trim() === "") {
      if (!isBlankRow(row)) throw emptyDate(d, ctx, rec);
      if (row.length > 1 && empty.count++ < LISTED_EMPTY) empty.records.push(rec);
      return;
    }
    checkWidth(d, row, rec);
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
    if (pending.times) pending.times.push(row[ctx.cols.time] ?? "");
    for (let k = 0; k < numeric.length; k++) {
      const nc = numeric[k];
      const cell = row[nc.col];
      let v = cell === undefined ? NaN : fastNumber(cell, markCode);
      if (v === v) nc.numbers++;
      else if (cell !== undefined && cell !== "") v = slowNumber(nc, cell, rec, d.mark);
      nc.values.a[n] = v;
    }
    for (let k = 0; k < text.length; k++) if (!text[k].capped) codeRow(text[k], n, row[text[k].col] ?? "");
    n++;
  };

  let record = 0; // index of the next record
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
        if (results.errors.length > 0) checkQuotes(d, results, rec);
        if (rec >= d.firstDataRecord) onRow(results.data, rec);
      } catch (e) {
        failure = e;
        parser.abort();
      }
    },
  });
  if (failure) throw failure;
  if (n === 0) throw headerOnly(d.headers);
  return { n, records: records.a.subarray(0, n), ts: ts.a.subarray(0, n), pending, numeric, text, emptyRecords: empty.records, emptyCount: empty.count };
}

function newNumericColumn(col: number, capacity: number): NumericColumn {
  return {
    col, values: new GrowableF64(capacity), numbers: 0, nonFinite: 0, firstNonFiniteRecord: -1, firstNonFiniteValue: "", texts: 0, firstTextRecord: -1, firstTextValue: "",
  };
}

function newTextColumn(col: number, named: boolean, capacity: number): TextColumn {
  return { col, codes: new GrowableI32(capacity), map: new Map(), names: [], capped: false, named, lastCell: "\u0000", lastCode: -1 };
}

/** A cell the fast path did not read: a slower number form, a missing token, an infinity, or text. */
function slowNumber(nc: NumericColumn, cell: string, rec: number, mark: DecimalMark): number {
  const v = parseNumberCell(cell, mark);
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
}

/** Writes row n's code for its cell; past MAX_TEXT_KEYS distinct values the column stops coding (and frees its map). */
function codeRow(tc: TextColumn, n: number, cell: string): void {
  if (cell !== tc.lastCell) {
    const key = cell.trim();
    let code = tc.map.get(key);
    if (code === undefined) {
      code = tc.names.length;
      tc.map.set(key, code);
      tc.names.push(key);
    }
    tc.lastCell = cell;
    tc.lastCode = code;
  }
  tc.codes.a[n] = tc.lastCode;
  if (tc.names.length > MAX_TEXT_KEYS) {
    tc.capped = true;
    tc.map.clear();
    tc.names.length = 0;
  }
}

function badRow(d: Dialect, rec: number, message: (row: number) => string, details: Record<string, unknown> = {}): CsvImportError {
  const row = spreadsheetRow(d, rec);
  return new CsvImportError("BAD_ROW", message(row), { row, ...details });
}

function emptyDate(d: Dialect, ctx: DateContext, rec: number): CsvImportError {
  const row = spreadsheetRow(d, rec);
  return new CsvImportError("BAD_DATE", `Row ${row}, column "${ctx.cols.header}": the date is empty.`, { row, column: ctx.cols.header, value: "" });
}

/** Extra fields are allowed only when empty (a trailing delimiter); a value past the header's columns is refused. */
function checkWidth(d: Dialect, row: readonly string[], rec: number): void {
  const width = d.headers.length;
  for (let c = width; c < row.length; c++) {
    if (row[c].trim() !== "") {
      throw badRow(d, rec, (at) => `Row ${at} has ${row.length} fields but the header has ${width}: check the delimiter and quotes on that line.`, {
        fields: row.length, expected: width,
      });
    }
  }
}

/**
 * A quote that is never closed swallows the rest of the file; a quoted field that goes on after
 * its closing quote (`"12"x`) runs on to the next quote, swallowing the lines between. Either way
 * rows would vanish into one cell: refuse the file, naming the row.
 */
function checkQuotes(d: Dialect, results: Papa.ParseStepResult<string[]>, rec: number): void {
  for (const e of results.errors) {
    if (e.code === "MissingQuotes") throw badRow(d, rec, (at) => `Row ${at} has a quote (") that is never closed.`);
    if (e.code === "InvalidQuotes" && results.data.some((cell) => cell.includes("\n"))) {
      throw badRow(d, rec, (at) => `Row ${at} has a quoted field that goes on after its closing quote (") and runs into the next lines: check the quotes on that line.`);
    }
  }
}
