/**
 * CSV import: text in, typed series out (or a CsvImportError naming the row and column at fault).
 *
 * Pipeline:
 *  1. decode (size limit, binary check, encoding, BOM, line ends) - decode.ts
 *  2. sniff: delimiter, header row, and a profile of the first rows of each column
 *     (numbers? dates? text?), which picks the date column and the decimal mark
 *  3. one streaming pass of papaparse (header:false arrays, in chunks) that fills typed arrays:
 *     numbers are parsed on the spot (fast path for plain decimals), date cells are kept as strings
 *  4. dates are parsed column-wide (so `a/b/YYYY` is decided on every row) with a fast ISO path
 *  5. layout: long (a text id column, e.g. series,date,value), OHLCV (open/high/low/close/volume)
 *     or wide (one series per numeric column); rows are grouped per series and index-sorted by time
 *  6. per series: duplicate check, frequency inference, gaps
 */
import Papa from "papaparse";
import type { Frequency } from "./frequency";
import { CsvImportError, MAX_LISTED_ROWS } from "./errors";
import { DEFAULT_MAX_BYTES, decodeInput } from "./decode";
import { type DecimalMark, detectDecimalMark, fastNumber, isMissingToken, parseNumberCell } from "./numbers";
import {
  type DayMonthOrder,
  type NumericDateKind,
  MS_PER_DAY,
  formatTimestamp,
  isTimeOfDay,
  monthNumber,
  utcMs,
  numericDateKindOf,
  parseDateText,
  parseIsoFast,
  parseNumericDate,
  parseSlashFast,
  parseTimeOfDay,
  slashEvidence,
  slashParts,
} from "./dates";
import { type Gap, findGaps, inferFrequency } from "./grid";

export interface ParsedSeries {
  name: string;
  /** ms since epoch, UTC, strictly ascending. */
  timestamps: Float64Array;
  /** NaN = missing value (kept as a gap, never 0). Leading and trailing missing values are trimmed. */
  values: Float64Array;
  frequency: Frequency;
  /** Step for fixed-step frequencies (minute/hourly/daily/weekly; median spacing for irregular), null for calendar ones. */
  stepMs: number | null;
  gaps: Gap[];
  /** Grid steps without a value: the sum of the gaps' missingSteps (absent rows and missing cells). */
  missingCount: number;
}

export interface ParsedDataset {
  format: "long" | "wide" | "ohlcv";
  delimiter: string;
  dateColumn: string;
  /** Data rows read (blank lines not counted). */
  rowCount: number;
  series: ParsedSeries[];
  warnings: string[];
}

export interface ParseCsvOptions {
  /** The uploaded file's name: OHLCV series are named after it (`AAPL.csv` -> `AAPL close`). */
  fileName: string;
  /** Size limit in bytes (default 100 MB); larger input throws FILE_TOO_LARGE (413). */
  maxBytes?: number;
}

const SAMPLE_CHARS = 256 * 1024;
const SAMPLE_ROWS = 2000;
const MAX_KEYS = 100_000;

// ---------------------------------------------------------------------------------------------
// Names

function nameTokens(header: string): string[] {
  return header
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

function normalized(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

const DATE_TOKENS = new Set([
  "date", "time", "timestamp", "datetime", "day", "month", "period", "ds", "dt", "ts", "week", "quarter",
  "year", "datum", "fecha", "zeit", "when", "epoch", "unixtime",
]);
const STRONG_DATE_NAMES = new Set([
  "date", "time", "timestamp", "datetime", "ds", "period", "day", "month", "dt", "ts", "week", "quarter", "year",
  "datum", "fecha", "epoch", "unixtime",
]);
const ID_NAMES = new Set([
  "series", "seriesid", "seriesname", "id", "uniqueid", "symbol", "ticker", "name", "key", "item", "itemid", "code",
  "sku", "store", "storeid", "station", "stationid", "sensor", "sensorid", "product", "productid", "entity", "country",
  "region", "location", "city", "category", "group", "variable", "metric", "tsid", "stock", "asset",
]);
const OHLCV_NAMES = new Set([
  "open", "high", "low", "close", "closelast", "adjclose", "adjustedclose", "closeadj", "last", "volume", "vwap", "trades", "openinterest",
]);
const GENERIC_VALUE_NAMES = new Set(["value", "values", "y", "val", "data", "price", "amount", "observation", "obs", "v"]);

function isDateName(header: string): boolean {
  return nameTokens(header).some((t) => DATE_TOKENS.has(t));
}

function fileBaseName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stripped = base.replace(/\.(csv|tsv|txt|dat)$/i, "");
  return stripped.length > 0 ? stripped : base;
}

// ---------------------------------------------------------------------------------------------
// Messages

/** "5", "5 and 9", "5, 9 and 12", "5, 9, 12 ... (and 7 more)". */
function listRows(rows: number[], total: number): string {
  const more = total - rows.length;
  if (rows.length === 1) return String(rows[0]);
  if (more > 0) return `${rows.join(", ")} and ${more} more`;
  return `${rows.slice(0, -1).join(", ")} and ${rows[rows.length - 1]}`;
}

function quoteCell(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return `"${t}"`;
}

// ---------------------------------------------------------------------------------------------
// Sniffing

/** A date written as text (not a bare number), in either day/month order. */
function isTextDate(s: string): boolean {
  return !Number.isNaN(parseDateText(s, "mdy")) || !Number.isNaN(parseDateText(s, "dmy"));
}

/** An integer 1..max (or, if allowed, an English month name), else -1. */
function datePart(cell: string, max: number, allowMonthNames: boolean): number {
  const s = cell.trim();
  if (/^\d{1,4}$/.test(s)) {
    const v = +s;
    return v >= 1 && v <= max ? v : -1;
  }
  if (allowMonthNames) {
    const m = monthNumber(s.replace(/\.$/, ""));
    if (m > 0) return m;
  }
  return -1;
}

function isBlankRow(row: string[]): boolean {
  for (let i = 0; i < row.length; i++) if (row[i].trim() !== "") return false;
  return true;
}

function detectDelimiter(head: string): string {
  const candidates = [",", ";", "\t", "|"];
  let best = ",";
  let bestScore = -1;
  for (const d of candidates) {
    const res = Papa.parse<string[]>(head, { delimiter: d, preview: 50, skipEmptyLines: "greedy", newline: "\n" });
    const rows = res.data;
    if (rows.length === 0) continue;
    const n0 = rows[0].length;
    if (n0 < 2) continue;
    let same = 0;
    for (const r of rows) if (r.length === n0) same++;
    const consistency = same / rows.length;
    const score = consistency * 1000 + Math.min(n0, 999);
    if (score > bestScore) {
      bestScore = score;
      best = d;
    }
  }
  return best;
}

interface ColumnProfile {
  nonMissing: number;
  numeric: number;
  textDates: number;
  timeOfDay: number;
  numericKinds: Map<NumericDateKind, number>;
  firstNonDate: number; // index in sample rows, -1 if none
  distinct: Set<string>;
}

function profileColumn(rows: string[][], c: number, mark: DecimalMark): ColumnProfile {
  const p: ColumnProfile = {
    nonMissing: 0, numeric: 0, textDates: 0, timeOfDay: 0, numericKinds: new Map(), firstNonDate: -1, distinct: new Set(),
  };
  for (let r = 0; r < rows.length; r++) {
    const raw = rows[r][c] ?? "";
    if (isMissingToken(raw)) continue;
    p.nonMissing++;
    if (p.distinct.size < SAMPLE_ROWS) p.distinct.add(raw.trim());
    const num = parseNumberCell(raw, mark);
    let isDate = false;
    if (num !== undefined) {
      p.numeric++;
      const kind = numericDateKindOf(raw);
      if (kind) {
        p.numericKinds.set(kind, (p.numericKinds.get(kind) ?? 0) + 1);
        isDate = true;
      }
    } else if (isTextDate(raw)) {
      p.textDates++;
      isDate = true;
    } else if (isTimeOfDay(raw)) p.timeOfDay++;
    if (!isDate && p.firstNonDate < 0) p.firstNonDate = r;
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Growable typed arrays

class F64 {
  a: Float64Array;
  constructor(cap: number) {
    this.a = new Float64Array(Math.max(cap, 16));
  }
  grow(n: number): void {
    if (n <= this.a.length) return;
    const b = new Float64Array(Math.max(n, this.a.length * 2));
    b.set(this.a);
    this.a = b;
  }
}
class I32 {
  a: Int32Array;
  constructor(cap: number) {
    this.a = new Int32Array(Math.max(cap, 16));
  }
  grow(n: number): void {
    if (n <= this.a.length) return;
    const b = new Int32Array(Math.max(n, this.a.length * 2));
    b.set(this.a);
    this.a = b;
  }
}

interface NumColumn {
  col: number;
  values: F64;
  numbers: number;
  texts: number;
  firstTextRow: number;
  firstTextValue: string;
}

interface KeyColumn {
  col: number;
  codes: I32;
  map: Map<string, number>;
  names: string[];
  capped: boolean;
  named: boolean;
}

function countLines(text: string): number {
  let n = 0;
  let i = -1;
  while ((i = text.indexOf("\n", i + 1)) >= 0) n++;
  return n + 1;
}

// ---------------------------------------------------------------------------------------------

/** Parses an uploaded CSV into series. Throws CsvImportError (see errors.ts) on bad input. */
export function parseCsv(input: string | Uint8Array, options: ParseCsvOptions): ParsedDataset {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const warnings: string[] = [];
  let text = decodeInput(input, maxBytes, warnings);
  if (!/\S/.test(text.slice(0, 4096)) && text.trim() === "") {
    throw new CsvImportError("EMPTY_FILE", "The file is empty.", {});
  }

  // Excel's "sep=;" hint line.
  let recordOffset = 0;
  let forcedDelimiter: string | null = null;
  const sepMatch = /^sep=(.)\n/.exec(text);
  if (sepMatch) {
    forcedDelimiter = sepMatch[1];
    text = text.slice(sepMatch[0].length);
    recordOffset = 1;
  }

  const head = text.length > SAMPLE_CHARS ? text.slice(0, SAMPLE_CHARS) : text;
  const truncated = head.length < text.length;
  const delimiter = forcedDelimiter ?? detectDelimiter(head);

  // ---- sample: header + first rows
  const sampleRes = Papa.parse<string[]>(head, { delimiter, newline: "\n", skipEmptyLines: false });
  const sampleRecords = sampleRes.data;
  if (truncated) sampleRecords.pop();
  let headerIdx = 0;
  while (headerIdx < sampleRecords.length && isBlankRow(sampleRecords[headerIdx])) headerIdx++;
  if (headerIdx >= sampleRecords.length) throw new CsvImportError("EMPTY_FILE", "The file is empty.", {});
  const firstRecord = sampleRecords[headerIdx];
  const sampleData: string[][] = [];
  for (let r = headerIdx + 1; r < sampleRecords.length && sampleData.length < SAMPLE_ROWS; r++) {
    if (!isBlankRow(sampleRecords[r])) sampleData.push(sampleRecords[r]);
  }

  // Headerless file: the first record already holds a date and numbers.
  const looksLikeData =
    firstRecord.some(isTextDate) &&
    firstRecord.every((s) => isMissingToken(s) || parseNumberCell(s, ".") !== undefined || parseNumberCell(s, ",") !== undefined || isTextDate(s));
  const hasHeader = !looksLikeData;
  // Width: the header's, unless nearly every data row is wider (a header missing a name).
  let width = firstRecord.length;
  {
    const wider = sampleData.filter((r) => r.length > firstRecord.length);
    if (hasHeader && wider.length >= 0.9 * sampleData.length && wider.length > 0) width = Math.max(...wider.map((r) => r.length));
  }
  const headers: string[] = [];
  const hasHeaderName: boolean[] = [];
  {
    const seen = new Map<string, number>();
    for (let c = 0; c < width; c++) {
      let h = hasHeader ? (firstRecord[c] ?? "").trim() : "";
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
  }
  if (!hasHeader) {
    sampleData.unshift(firstRecord);
    warnings.push(`The file has no header row; its columns are named ${headers.map((h) => `"${h}"`).join(", ")}.`);
  }
  if (sampleData.length === 0) {
    throw new CsvImportError(
      "HEADER_ONLY",
      "The file has a header row but no data rows.",
      { columns: headers },
    );
  }
  /** Spreadsheet row number of record index r (0-based record of the file after any sep= line). */
  const rowOf = (record: number): number => record + 1 + recordOffset;

  // ---- decimal mark and column profiles
  const sampleCells: string[] = [];
  for (const row of sampleData.slice(0, 500)) for (const cell of row) sampleCells.push(cell);
  const mark = detectDecimalMark(sampleCells, delimiter);
  const markCode = mark === "." ? 46 : 44;
  const profiles = headers.map((_, c) => profileColumn(sampleData, c, mark));

  // ---- date column
  let dateCol = -1;
  let numericKind: NumericDateKind | null = null;
  {
    let bestPriority = 0;
    let bestRatio = 0;
    for (let c = 0; c < width; c++) {
      const p = profiles[c];
      if (p.nonMissing === 0) continue;
      const named = isDateName(headers[c]);
      let priority = 0;
      let ratio = 0;
      let kind: NumericDateKind | null = null;
      if (p.textDates >= 0.8 * p.nonMissing) {
        ratio = p.textDates / p.nonMissing;
        priority = named ? 4 : 3;
      } else if (p.numeric === p.nonMissing && p.numericKinds.size === 1) {
        const [k, count] = [...p.numericKinds.entries()][0];
        if (count === p.nonMissing) {
          if (named) {
            kind = k;
            priority = 2;
            ratio = 1;
          } else if ((k === "unix-s" || k === "unix-ms") && c === 0) {
            kind = k;
            priority = 1;
            ratio = 1;
          }
        }
      }
      if (priority > bestPriority || (priority === bestPriority && priority > 0 && ratio > bestRatio)) {
        bestPriority = priority;
        bestRatio = ratio;
        dateCol = c;
        numericKind = kind;
      }
    }
    if (dateCol < 0) {
      const strong = headers.findIndex((h) => STRONG_DATE_NAMES.has(normalized(h)));
      if (strong >= 0 && profiles[strong].firstNonDate >= 0) {
        const r = profiles[strong].firstNonDate;
        const value = sampleData[r][strong] ?? "";
        const record = sampleRecords.indexOf(sampleData[r]);
        const row = rowOf(record < 0 ? headerIdx + 1 + r : record);
        throw new CsvImportError(
          "BAD_DATE",
          `Row ${row}, column "${headers[strong]}": ${quoteCell(value)} is not a date (expected e.g. 2024-01-31, 01/31/2024, 31.01.2024 or Jan 31 2024).`,
          { row, column: headers[strong], value },
        );
      }
      throw new CsvImportError(
        "NO_DATE_COLUMN",
        `No date column found: none of the columns ${headers.map((h) => `"${h}"`).join(", ")} holds dates. Add a column such as "date" with values like 2024-01-31.`,
        { columns: headers },
      );
    }
  }
  const dateHeader = headers[dateCol];

  // A separate time-of-day column next to a date-only column.
  let timeCol = -1;
  if (numericKind === null) {
    for (let c = 0; c < width; c++) {
      if (c === dateCol) continue;
      const p = profiles[c];
      const tokens = nameTokens(headers[c]);
      if ((tokens.includes("time") || tokens.includes("hour")) && p.nonMissing > 0 && p.timeOfDay === p.nonMissing) {
        const dates = sampleData.map((r) => parseDateText(r[dateCol] ?? ""));
        if (dates.every((d) => Number.isNaN(d) || d % MS_PER_DAY === 0)) timeCol = c;
        break;
      }
    }
  }

  // A year column with month (and day) columns beside it: `year,month,value`.
  let monthCol = -1;
  let dayCol = -1;
  if (numericKind === "year") {
    const partCol = (names: string[], max: number, allowNames: boolean): number =>
      headers.findIndex((h, c) => {
        if (c === dateCol || !names.includes(normalized(h))) return false;
        let ok = 0;
        for (const r of sampleData) if (datePart(r[c] ?? "", max, allowNames) > 0) ok++;
        return ok >= 0.9 * sampleData.length;
      });
    monthCol = partCol(["month", "mon", "mm", "monthnumber"], 12, true);
    if (monthCol >= 0) dayCol = partCol(["day", "dd", "dayofmonth"], 31, false);
  }

  // ---- column roles for the streaming pass
  const numCols: NumColumn[] = [];
  const keyCols: KeyColumn[] = [];
  const cap = countLines(text) + 2;
  for (let c = 0; c < width; c++) {
    if (c === dateCol || c === timeCol || c === monthCol || c === dayCol) continue;
    const p = profiles[c];
    const named = ID_NAMES.has(normalized(headers[c]));
    const textual = p.nonMissing > 0 && p.numeric < p.nonMissing / 2;
    if (named || textual) {
      keyCols.push({ col: c, codes: new I32(cap), map: new Map(), names: [], capped: false, named });
    } else {
      numCols.push({ col: c, values: new F64(cap), numbers: 0, texts: 0, firstTextRow: 0, firstTextValue: "" });
    }
  }

  // ---- streaming pass
  // Dates: the ISO fast path (and numeric dates) are parsed on the spot; anything else is kept
  // as text with its row index and parsed after the pass, once the day/month order is known.
  const tsBuf = new F64(cap);
  const deferredIdx: number[] = [];
  const deferredText: string[] = [];
  let prevDate = "\u0000";
  let prevDateMs = NaN;
  const timeStrings: string[] = [];
  const rowNumbers = new I32(cap);
  let n = 0;
  let record = 0; // records seen so far (0-based index of the next record)
  let pending: CsvImportError | null = null;
  const firstDataRecord = hasHeader ? headerIdx + 1 : headerIdx;
  const nNum = numCols.length;
  const nKey = keyCols.length;
  const prevKey: string[] = keyCols.map(() => "\u0000");
  const prevCode: number[] = keyCols.map(() => -1);

  const onRow = (row: string[], parser: Papa.Parser): void => {
    const rec = record++;
    if (rec < firstDataRecord || pending) return;
    const dateCell = row[dateCol];
    if (dateCell === undefined || dateCell === "" || dateCell.trim() === "") {
      if (isBlankRow(row)) return;
      const rowNo = rowOf(rec);
      pending = new CsvImportError("BAD_DATE", `Row ${rowNo}, column "${dateHeader}": the date is empty.`, {
        row: rowNo, column: dateHeader, value: "",
      });
      parser.abort();
      return;
    }
    if (row.length > width) {
      for (let c = width; c < row.length; c++) {
        if (row[c].trim() !== "") {
          const rowNo = rowOf(rec);
          pending = new CsvImportError(
            "BAD_ROW",
            `Row ${rowNo} has ${row.length} fields but the header has ${width}: check the delimiter and quotes on that line.`,
            { row: rowNo, fields: row.length, expected: width },
          );
          parser.abort();
          return;
        }
      }
    }
    if (n >= rowNumbers.a.length) {
      const want = n * 2;
      rowNumbers.grow(want);
      tsBuf.grow(want);
      for (const nc of numCols) nc.values.grow(want);
      for (const kc of keyCols) kc.codes.grow(want);
    }
    rowNumbers.a[n] = rec;
    let ms: number;
    if (monthCol >= 0) {
      const bad = (c: number): void => {
        const rowNo = rowOf(rec);
        const value = row[c] ?? "";
        pending = new CsvImportError("BAD_DATE", `Row ${rowNo}, column "${headers[c]}": ${quoteCell(value)} is not a ${c === dateCol ? "year" : c === monthCol ? "month" : "day of the month"}.`, {
          row: rowNo, column: headers[c], value,
        });
        parser.abort();
      };
      const y = datePart(dateCell, 9999, false);
      const m = datePart(row[monthCol] ?? "", 12, true);
      const d = dayCol >= 0 ? datePart(row[dayCol] ?? "", 31, false) : 1;
      if (y < 0) return bad(dateCol);
      if (m < 0) return bad(monthCol);
      ms = d < 0 ? NaN : utcMs(y, m, d);
      if (ms !== ms) return bad(dayCol);
    } else if (dateCell === prevDate) ms = prevDateMs;
    else {
      ms = numericKind === null ? parseIsoFast(dateCell) : parseNumericDate(dateCell, numericKind);
      prevDate = dateCell;
      prevDateMs = ms;
    }
    if (ms !== ms) {
      deferredIdx.push(n);
      deferredText.push(dateCell);
    }
    tsBuf.a[n] = ms;
    if (timeCol >= 0) timeStrings.push(row[timeCol] ?? "");
    for (let k = 0; k < nNum; k++) {
      const nc = numCols[k];
      const cell = row[nc.col];
      let v = cell === undefined ? NaN : fastNumber(cell, markCode);
      if (v !== v && cell !== undefined && cell !== "") {
        const slow = parseNumberCell(cell, mark);
        if (slow === undefined) {
          if (nc.texts === 0) {
            nc.firstTextRow = rec;
            nc.firstTextValue = cell;
          }
          nc.texts++;
          v = NaN;
        } else {
          v = slow;
          if (v === v) nc.numbers++;
        }
      } else if (v === v) nc.numbers++;
      nc.values.a[n] = v;
    }
    for (let k = 0; k < nKey; k++) {
      const kc = keyCols[k];
      if (kc.capped) return;
      const cell = row[kc.col] ?? "";
      let code: number;
      if (cell === prevKey[k]) code = prevCode[k];
      else {
        const key = cell.trim();
        const found = kc.map.get(key);
        if (found === undefined) {
          code = kc.names.length;
          kc.map.set(key, code);
          kc.names.push(key);
          if (kc.names.length > MAX_KEYS) kc.capped = true;
        } else code = found;
        prevKey[k] = cell;
        prevCode[k] = code;
      }
      kc.codes.a[n] = code;
    }
    n++;
  };

  // papaparse in step mode (header:false arrays): one short-lived array per row, nothing kept.
  // (Its chunk mode keeps every chunk alive through recursion: 3x the memory for the same work.)
  // For a string input it runs synchronously: every row is handled before parse() returns.
  Papa.parse<string[]>(text, {
    delimiter,
    newline: "\n",
    skipEmptyLines: false,
    step: (results: Papa.ParseStepResult<string[]>, parser: Papa.Parser) => {
      if (pending) return;
      if (results.errors.length > 0) {
        for (const e of results.errors) {
          if (e.code === "MissingQuotes") {
            const rowNo = rowOf(record);
            pending = new CsvImportError("BAD_ROW", `Row ${rowNo} has a quote (") that is never closed.`, { row: rowNo });
            parser.abort();
            return;
          }
        }
      }
      onRow(results.data, parser);
    },
  });
  if (pending) throw pending;
  if (n === 0) {
    throw new CsvImportError("HEADER_ONLY", "The file has a header row but no data rows.", { columns: headers });
  }

  // ---- numeric columns: series, stray text, or textual
  const valueCols: NumColumn[] = [];
  for (const nc of numCols) {
    const header = headers[nc.col];
    if (nc.texts > 0 && nc.numbers >= nc.texts) {
      const row = rowOf(nc.firstTextRow);
      throw new CsvImportError(
        "BAD_NUMBER",
        `Row ${row}, column "${header}": ${quoteCell(nc.firstTextValue)} is not a number.`,
        { row, column: header, value: nc.firstTextValue, textCells: nc.texts },
      );
    }
    if (nc.numbers === 0) {
      if (nc.texts === 0 && !hasHeaderName[nc.col]) continue; // e.g. a trailing delimiter on every line
      warnings.push(nc.texts > 0 ? `Column "${header}" holds text, not numbers; it was not imported.` : `Column "${header}" is empty; it was not imported.`);
      continue;
    }
    if (nc.texts > 0) {
      warnings.push(`Column "${header}" is mostly text; it was not imported.`);
      continue;
    }
    valueCols.push(nc);
  }

  // ---- dates
  const ts = tsBuf.a.length === n ? tsBuf.a : tsBuf.a.subarray(0, n);
  {
    const badDate = (i: number, s: string, example: string): CsvImportError => {
      const row = rowOf(rowNumbers.a[i]);
      return new CsvImportError(
        "BAD_DATE",
        `Row ${row}, column "${dateHeader}": ${quoteCell(s)} is not a date${exampleHint(example, s)}.`,
        { row, column: dateHeader, value: s },
      );
    };
    if (deferredText.length > 0) {
      let order: DayMonthOrder = "mdy";
      const ev = numericKind === null ? slashEvidence(deferredText) : { dmyAt: -1, mdyAt: -1, slashCount: 0 };
      if (ev.dmyAt >= 0 && ev.mdyAt >= 0) {
        const rows = [rowOf(rowNumbers.a[deferredIdx[ev.dmyAt]]), rowOf(rowNumbers.a[deferredIdx[ev.mdyAt]])];
        throw new CsvImportError(
          "AMBIGUOUS_DATE",
          `Column "${dateHeader}" mixes day-first and month-first dates: row ${rows[0]} has ${quoteCell(deferredText[ev.dmyAt])} (day first) and row ${rows[1]} has ${quoteCell(deferredText[ev.mdyAt])} (month first).`,
          { column: dateHeader, rows },
        );
      }
      if (ev.dmyAt >= 0) order = "dmy";
      else if (ev.mdyAt >= 0) order = "mdy";
      else if (ev.slashCount > 0) {
        order = chooseAmbiguousOrder(deferredText, delimiter, mark);
        const example = deferredText.find((t) => slashParts(t.trim()) !== null) ?? deferredText[0];
        warnings.push(
          `Dates in column "${dateHeader}" such as ${quoteCell(example)} could be day/month or month/day; they were read as ${order === "dmy" ? "day/month/year" : "month/day/year"}.`,
        );
      }
      const cache = new Map<string, number>();
      let example = "";
      for (let i = 0; i < n && example === ""; i++) if (ts[i] === ts[i]) example = formatTimestamp(ts[i]);
      for (let k = 0; k < deferredText.length; k++) {
        const s = deferredText[k];
        // fast shapes first; the cache only serves the slower regex-based forms (month names ...)
        let ms = numericKind === null ? parseSlashFast(s, order) : parseNumericDate(s, numericKind);
        if (ms !== ms && numericKind === null) {
          const hit = cache.get(s);
          if (hit !== undefined) ms = hit;
          else {
            ms = parseDateText(s, order);
            if (cache.size < 50_000) cache.set(s, ms);
          }
        }
        if (ms !== ms) throw badDate(deferredIdx[k], s, example || deferredText[0]);
        if (example === "") example = s;
        ts[deferredIdx[k]] = ms;
      }
    }
    if (timeCol >= 0) {
      for (let i = 0; i < n; i++) {
        const t = timeStrings[i];
        const tod = isMissingToken(t) ? 0 : parseTimeOfDay(t);
        if (tod !== tod) {
          const row = rowOf(rowNumbers.a[i]);
          throw new CsvImportError("BAD_DATE", `Row ${row}, column "${headers[timeCol]}": ${quoteCell(t)} is not a time of day.`, {
            row, column: headers[timeCol], value: t,
          });
        }
        ts[i] += tod;
      }
    }
  }
  deferredText.length = 0;
  timeStrings.length = 0;

  // ---- layout
  const rows = rowNumbers.a;
  let key: { codes: Int32Array; names: string[]; header: string } | null = null;
  const usable = keyCols.filter((k) => !k.capped && k.names.length > 0 && !(k.names.length === 1 && k.names[0] === ""));
  const ignoredKeys = new Set<KeyColumn>(keyCols);
  {
    const tsHasDup = hasDuplicates(ts, n);
    // Without repeated dates only a column named like an id (series, symbol, ...) makes a long file,
    // and only if it groups rows (one value, or on average 2+ rows per value: not a row id).
    // With repeated dates any text column that separates them is the id; fewest distinct values first.
    const tryOrder = tsHasDup
      ? usable.filter((k) => k.named || k.names.length <= n / 2)
      : usable.filter((k) => k.named && (k.names.length === 1 || k.names.length <= n / 2));
    tryOrder.sort((a, b) => Number(b.named) - Number(a.named) || a.names.length - b.names.length);
    let chosen: KeyColumn | null = null;
    for (const k of tryOrder) {
      if (!tsHasDup || !hasDuplicatesWithin(ts, n, k.codes.a)) {
        chosen = k;
        break;
      }
    }
    if (!chosen && tryOrder.length > 1) {
      // e.g. store + item: combine all candidate columns
      const combo = combineKeys(tryOrder, n);
      if (combo && combo.names.length <= n / 2 && !hasDuplicatesWithin(ts, n, combo.codes)) {
        key = combo;
        for (const k of tryOrder) ignoredKeys.delete(k);
      }
    }
    // Duplicates remain: blame them on the named id column if there is one, else on the whole file.
    if (!key && !chosen) chosen = tryOrder.find((k) => k.named) ?? null;
    if (chosen) {
      key = { codes: chosen.codes.a, names: chosen.names, header: headers[chosen.col] };
      ignoredKeys.delete(chosen);
    }
  }
  for (const k of ignoredKeys) {
    const p = profiles[k.col];
    if (p.nonMissing === 0) continue;
    warnings.push(
      p.numeric >= p.nonMissing / 2
        ? `Column "${headers[k.col]}" looks like an identifier, not a measurement; it was not imported.`
        : `Column "${headers[k.col]}" holds text, not numbers; it was not imported.`,
    );
  }
  if (valueCols.length === 0) {
    throw new CsvImportError(
      "NO_NUMERIC_COLUMN",
      `No numeric column found: besides the date column "${dateHeader}", no column holds numbers.`,
      { columns: headers, dateColumn: dateHeader },
    );
  }

  let format: ParsedDataset["format"];
  const base = fileBaseName(options.fileName);
  const valueNames = valueCols.map((c) => headers[c.col]);
  if (key) format = "long";
  else {
    const norm = valueNames.map(normalized);
    const ohlc = ["open", "high", "low", "close"].filter((x) => norm.includes(x) || (x === "close" && norm.includes("closelast"))).length;
    const allOhlcv = norm.every((x) => OHLCV_NAMES.has(x));
    format = allOhlcv && (ohlc >= 3 || (norm.includes("close") && norm.includes("volume"))) ? "ohlcv" : "wide";
  }

  // ---- group rows per series, sort by time
  const series: ParsedSeries[] = [];
  const groups = key ? groupByKey(key.codes, n, key.names.length) : [identity(n)];
  for (let g = 0; g < groups.length; g++) {
    const idx = groups[g];
    if (idx.length === 0) continue;
    sortByTime(idx, ts);
    const groupName = key ? blankName(key.names[g]) : "";
    if (key && key.names[g] === "") warnings.push(`Some rows have no ${key.header ? `"${key.header}"` : "series id"}; they form the series "(blank)".`);
    const dup = firstDuplicate(idx, ts);
    if (dup) {
      const listed = dup.slice(0, MAX_LISTED_ROWS).map((i) => rowOf(rows[i]));
      const date = formatTimestamp(ts[dup[0]]);
      const forSeries = key ? ` for series ${groupName}` : "";
      throw new CsvImportError(
        "DUPLICATE_TIMESTAMP",
        `Rows ${listRows(listed, dup.length)} have the same date ${date}${forSeries}.`,
        { rows: listed, value: date, ...(key ? { series: groupName } : {}), count: dup.length },
      );
    }
    for (const vc of valueCols) {
      const header = headers[vc.col];
      let name: string;
      if (key) name = valueCols.length === 1 ? groupName : `${groupName} ${header}`;
      else if (format === "ohlcv") name = `${base} ${header}`;
      else name = valueCols.length === 1 && (GENERIC_VALUE_NAMES.has(normalized(header)) || /^column \d+$/.test(header)) ? base : header;
      const built = buildSeries(name, idx, ts, vc.values.a);
      if (built) series.push(built);
      else warnings.push(key ? `Series "${name}" has no values; it was not imported.` : `Column "${header}" has no values; it was not imported.`);
    }
  }
  if (series.length === 0) {
    throw new CsvImportError("NO_NUMERIC_COLUMN", "No numeric values found: every value cell is empty.", {
      columns: headers, dateColumn: dateHeader,
    });
  }
  return { format, delimiter, dateColumn: dateHeader, rowCount: n, series, warnings };
}

function blankName(name: string): string {
  return name === "" ? "(blank)" : name;
}

function exampleHint(first: string, bad: string): string {
  if (first === bad) return " (expected e.g. 2024-01-31, 01/31/2024, 31.01.2024 or Jan 31 2024)";
  return ` (other rows have dates like ${quoteCell(first)})`;
}

/**
 * For a column where every `a/b/YYYY` date has both parts <= 12: prefer the order under which the
 * rows are in time order (as exports usually are); otherwise day-first in semicolon or
 * decimal-comma files (European exports), month-first elsewhere.
 */
function chooseAmbiguousOrder(values: string[], delimiter: string, mark: DecimalMark): DayMonthOrder {
  const monotone = (order: DayMonthOrder): boolean => {
    let prev = -Infinity;
    let inc = true;
    let dec = true;
    let prevDec = Infinity;
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

function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Counting sort of row indices by key code, stable (file order within a key). */
function groupByKey(codes: Int32Array, n: number, k: number): Uint32Array[] {
  const counts = new Uint32Array(k + 1);
  for (let i = 0; i < n; i++) counts[codes[i] + 1]++;
  for (let j = 1; j <= k; j++) counts[j] += counts[j - 1];
  const out = new Uint32Array(n);
  const pos = counts.slice(0, k);
  for (let i = 0; i < n; i++) out[pos[codes[i]]++] = i;
  const groups: Uint32Array[] = [];
  for (let j = 0; j < k; j++) groups.push(out.subarray(counts[j], counts[j + 1]));
  return groups;
}

/** Sorts row indices by timestamp in place: no-op if already ascending, reversal if descending. */
function sortByTime(idx: Uint32Array, ts: Float64Array): void {
  let asc = true;
  let desc = true;
  for (let i = 1; i < idx.length && (asc || desc); i++) {
    const d = ts[idx[i]] - ts[idx[i - 1]];
    if (d < 0) asc = false;
    if (d > 0) desc = false;
  }
  if (asc) return;
  if (desc) {
    idx.reverse();
    // keep file order among equal timestamps (for duplicate messages)
    return;
  }
  idx.sort((a, b) => ts[a] - ts[b] || a - b);
}

/** The indices (in idx, sorted by time) of the first run of equal timestamps, or null. */
function firstDuplicate(idx: Uint32Array, ts: Float64Array): number[] | null {
  for (let i = 1; i < idx.length; i++) {
    if (ts[idx[i]] === ts[idx[i - 1]]) {
      const run = [idx[i - 1], idx[i]];
      for (let j = i + 1; j < idx.length && ts[idx[j]] === ts[idx[i]]; j++) run.push(idx[j]);
      return run.sort((a, b) => a - b);
    }
  }
  return null;
}

function hasDuplicates(ts: Float64Array, n: number): boolean {
  let asc = true;
  for (let i = 1; i < n; i++) {
    if (ts[i] <= ts[i - 1]) {
      asc = false;
      break;
    }
  }
  if (asc) return false;
  const sorted = ts.slice(0, n).sort();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}

/** True if two rows with the same key code share a timestamp. */
function hasDuplicatesWithin(ts: Float64Array, n: number, codes: Int32Array): boolean {
  let k = 0;
  for (let i = 0; i < n; i++) if (codes[i] >= k) k = codes[i] + 1;
  for (const idx of groupByKey(codes, n, k)) {
    const t = new Float64Array(idx.length);
    let asc = true;
    for (let i = 0; i < idx.length; i++) {
      t[i] = ts[idx[i]];
      if (i > 0 && t[i] <= t[i - 1]) asc = false;
    }
    if (asc) continue;
    t.sort();
    for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1]) return true;
  }
  return false;
}

function combineKeys(cols: KeyColumn[], n: number): { codes: Int32Array; names: string[]; header: string } | null {
  if (cols.length < 2) return null;
  const map = new Map<string, number>();
  const names: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = cols.map((c) => c.names[c.codes.a[i]]).join(" / ");
    let code = map.get(label);
    if (code === undefined) {
      code = names.length;
      map.set(label, code);
      names.push(label);
    }
    codes[i] = code;
  }
  return { codes, names, header: "" };
}

/** One series from its (time-sorted) rows; leading/trailing missing values trimmed; null if no value. */
function buildSeries(name: string, idx: Uint32Array, ts: Float64Array, col: Float64Array): ParsedSeries | null {
  let first = 0;
  while (first < idx.length && Number.isNaN(col[idx[first]])) first++;
  if (first === idx.length) return null;
  let last = idx.length - 1;
  while (Number.isNaN(col[idx[last]])) last--;
  const len = last - first + 1;
  const timestamps = new Float64Array(len);
  const values = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const r = idx[first + i];
    timestamps[i] = ts[r];
    values[i] = col[r];
  }
  const { frequency, stepMs } = inferFrequency(timestamps);
  const gaps = findGaps(timestamps, values, frequency, stepMs);
  let missingCount = 0;
  for (const g of gaps) missingCount += g.missingSteps;
  return { name, timestamps, values, frequency, stepMs, gaps, missingCount };
}
