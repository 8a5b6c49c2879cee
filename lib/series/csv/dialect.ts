/**
 * Stage 1, sniffing the dialect: from the first 256 KB of the decoded text, the delimiter (or
 * Excel's `sep=` hint), the header row (or its absence), the column names, up to 2,000 sample
 * rows, the decimal mark, and a profile of each column over the sample.
 */
import Papa from "papaparse";
import { CsvImportError } from "../errors";
import { type DecimalMark, detectDecimalMark, isMissingToken, parseNumberCell } from "../numbers";
import { type ColumnProfile, isTextDate, profileColumn } from "./profile";

export interface Dialect {
  /** The text to stream: decoded, with any `sep=` hint line removed. */
  text: string;
  delimiter: string;
  mark: DecimalMark;
  /** Lines before `text` in the file (1 after a `sep=` line): they shift spreadsheet row numbers. */
  recordOffset: number;
  /** Index of the first data record of `text` (after blank lines and the header). */
  firstDataRecord: number;
  hasHeader: boolean;
  /** One unique name per column; an unnamed column is `column N`, a repeated name gets ` (2)`. */
  headers: string[];
  /** Whether the file named the column (false for `column N`). */
  hasHeaderName: boolean[];
  /** Up to SAMPLE_ROWS non-blank data rows from the start of the file. */
  sample: string[][];
  /** The record index (in `text`) of each sample row. */
  sampleRecords: number[];
  /** Each column's profile over the sample. */
  profiles: ColumnProfile[];
}

const SAMPLE_CHARS = 256 * 1024;
export const SAMPLE_ROWS = 2000;
/** Sample rows the decimal mark is decided on. */
const MARK_ROWS = 500;

/** Spreadsheet row number of record index `record` of the dialect's text (header = row 1). */
export function spreadsheetRow(d: Pick<Dialect, "recordOffset">, record: number): number {
  return record + 1 + d.recordOffset;
}

export function isBlankRow(row: readonly string[]): boolean {
  for (let i = 0; i < row.length; i++) if (row[i].trim() !== "") return false;
  return true;
}

/** Sniffs a decoded file. Throws EMPTY_FILE (nothing but blank lines) or HEADER_ONLY. */
export function sniffDialect(decoded: string, warnings: string[]): Dialect {
  if (!/\S/.test(decoded.slice(0, 4096)) && decoded.trim() === "") throw emptyFile();
  const { text, forcedDelimiter, recordOffset } = stripSepHint(decoded);
  const head = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const delimiter = forcedDelimiter ?? detectDelimiter(head);

  const records = Papa.parse<string[]>(head, { delimiter, newline: "\n", skipEmptyLines: false }).data;
  if (head.length < text.length) records.pop(); // cut mid-record
  let headerIdx = 0;
  while (headerIdx < records.length && isBlankRow(records[headerIdx])) headerIdx++;
  if (headerIdx >= records.length) throw emptyFile();
  const firstRecord = records[headerIdx];
  const sample: string[][] = [];
  const sampleRecords: number[] = [];
  const hasHeader = !looksLikeData(firstRecord);
  if (!hasHeader) {
    sample.push(firstRecord);
    sampleRecords.push(headerIdx);
  }
  for (let r = headerIdx + 1; r < records.length && sample.length < SAMPLE_ROWS; r++) {
    if (isBlankRow(records[r])) continue;
    sample.push(records[r]);
    sampleRecords.push(r);
  }
  const { headers, hasHeaderName } = columnNames(firstRecord, hasHeader, headerWidth(firstRecord, sample, hasHeader), warnings);
  if (!hasHeader) warnings.push(`The file has no header row; its columns are named ${headers.map((h) => `"${h}"`).join(", ")}.`);
  if (sample.length === 0) throw headerOnly(headers);

  const markCells: string[] = [];
  for (const row of sample.slice(0, MARK_ROWS)) for (const cell of row) markCells.push(cell);
  const mark = detectDecimalMark(markCells, delimiter);
  return {
    text,
    delimiter,
    mark,
    recordOffset,
    firstDataRecord: hasHeader ? headerIdx + 1 : headerIdx,
    hasHeader,
    headers,
    hasHeaderName,
    sample,
    sampleRecords,
    profiles: headers.map((_, c) => profileColumn(sample, c, mark)),
  };
}

export function emptyFile(): CsvImportError {
  return new CsvImportError("EMPTY_FILE", "The file is empty.", {});
}

export function headerOnly(headers: string[]): CsvImportError {
  return new CsvImportError("HEADER_ONLY", "The file has a header row but no data rows.", { columns: headers });
}

/** Excel's `sep=;` first line: the delimiter it names, and the line removed. */
export function stripSepHint(text: string): { text: string; forcedDelimiter: string | null; recordOffset: number } {
  const m = /^sep=(.)\n/.exec(text);
  return m ? { text: text.slice(m[0].length), forcedDelimiter: m[1], recordOffset: 1 } : { text, forcedDelimiter: null, recordOffset: 0 };
}

/**
 * The delimiter (`,` `;` tab `|`) that splits the first 50 lines into the same number of fields
 * most consistently, then into the most fields. Comma when none splits the header in two.
 */
export function detectDelimiter(head: string): string {
  let best = ",";
  let bestScore = -1;
  for (const d of [",", ";", "\t", "|"]) {
    const rows = Papa.parse<string[]>(head, { delimiter: d, preview: 50, skipEmptyLines: "greedy", newline: "\n" }).data;
    if (rows.length === 0) continue;
    const n0 = rows[0].length;
    if (n0 < 2) continue;
    let same = 0;
    for (const r of rows) if (r.length === n0) same++;
    const score = (same / rows.length) * 1000 + Math.min(n0, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

/**
 * A first record that is data, not names: nothing but numbers, dates or missing cells, with a
 * date or a number among them (`2024-01-01,5`, or Unix times and years: `1704067200,5`). Column
 * names are words; taking such a record for names would lose its row.
 */
function looksLikeData(record: readonly string[]): boolean {
  const isNumber = (s: string) => parseNumberCell(s, ".") !== undefined || parseNumberCell(s, ",") !== undefined;
  return record.some((s) => !isMissingToken(s)) && record.every((s) => isMissingToken(s) || isNumber(s) || isTextDate(s));
}

/** The header's width, unless nearly every sample row is wider (a header missing its last names). */
function headerWidth(header: readonly string[], sample: readonly string[][], hasHeader: boolean): number {
  const wider = sample.filter((r) => r.length > header.length);
  if (hasHeader && wider.length > 0 && wider.length >= 0.9 * sample.length) return Math.max(...wider.map((r) => r.length));
  return header.length;
}

/** Unique column names: blanks become `column N`, a repeated name `name (2)` (with a warning). */
function columnNames(header: readonly string[], hasHeader: boolean, width: number, warnings: string[]): { headers: string[]; hasHeaderName: boolean[] } {
  const headers: string[] = [];
  const hasHeaderName: boolean[] = [];
  const seen = new Map<string, number>();
  for (let c = 0; c < width; c++) {
    let h = hasHeader ? (header[c] ?? "").trim() : "";
    hasHeaderName.push(h !== "");
    if (h === "") h = `column ${c + 1}`;
    const k = h.toLowerCase();
    const count = seen.get(k) ?? 0;
    seen.set(k, count + 1);
    if (count > 0) {
      const renamed = `${h} (${count + 1})`;
      warnings.push(`Two columns are named "${h}"; the second is called "${renamed}".`);
      h = renamed;
    }
    headers.push(h);
  }
  return { headers, hasHeaderName };
}
