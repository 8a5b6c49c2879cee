/**
 * Stage 4, choosing the layout: which numeric columns are series (a stray word in a column of
 * numbers is an error, a column of words is skipped with a warning), whether a text column is
 * the series id (a long file), and otherwise whether the columns are a stock export (OHLCV) or
 * plain wide series. Every column not imported gets a warning.
 */
import { CsvImportError } from "../errors";
import type { Dialect } from "./dialect";
import { spreadsheetRow } from "./dialect";
import { type RowKey, combineKeys, hasDuplicates, hasDuplicatesWithin } from "./groups";
import { quoteCell } from "./messages";
import { fileBaseName, isGenericValueName, isOhlcvName, normalized } from "./names";
import { MAX_TEXT_KEYS, type NumericColumn, type RowTable, type TextColumn } from "./rows";
import type { DatasetFormat } from "./types";

export interface Layout {
  format: DatasetFormat;
  /** The series id of each row (long files), or null: every value column is one series. */
  key: RowKey | null;
  /** The columns imported as series. */
  values: NumericColumn[];
}

/**
 * The numeric columns that hold series. Throws BAD_NUMBER for a word or a non-finite number
 * (`1e999`, `Infinity`) in a column that is otherwise numbers, naming the first such row.
 */
export function valueColumns(table: RowTable, d: Dialect, warnings: string[]): NumericColumn[] {
  const values: NumericColumn[] = [];
  for (const nc of table.numeric) {
    const header = d.headers[nc.col];
    const numbers = nc.numbers + nc.nonFinite;
    if (nc.texts > 0 && numbers >= nc.texts) {
      const text = nc.nonFinite === 0 || nc.firstTextRecord < nc.firstNonFiniteRecord;
      throw badNumber(d, nc, text);
    }
    if (numbers === 0) {
      if (nc.texts === 0 && !d.hasHeaderName[nc.col]) continue; // e.g. a trailing delimiter on every line
      warnings.push(nc.texts > 0 ? `Column "${header}" holds text, not numbers; it was not imported.` : `Column "${header}" is empty; it was not imported.`);
      continue;
    }
    if (nc.texts > 0) {
      warnings.push(`Column "${header}" is mostly text; it was not imported.`);
      continue;
    }
    if (nc.nonFinite > 0) throw badNumber(d, nc, false);
    values.push(nc);
  }
  return values;
}

function badNumber(d: Dialect, nc: NumericColumn, text: boolean): CsvImportError {
  const column = d.headers[nc.col];
  const row = spreadsheetRow(d, text ? nc.firstTextRecord : nc.firstNonFiniteRecord);
  const value = text ? nc.firstTextValue : nc.firstNonFiniteValue;
  const what = text ? "is not a number" : "is not a finite number";
  return new CsvImportError("BAD_NUMBER", `Row ${row}, column "${column}": ${quoteCell(value)} ${what}.`, {
    row, column, value, ...(text ? { textCells: nc.texts } : { nonFiniteCells: nc.nonFinite }),
  });
}

/** The layout of the rows `table` read (timestamps resolved). Throws NO_NUMERIC_COLUMN. */
export function chooseLayout(table: RowTable, values: NumericColumn[], d: Dialect, dateHeader: string, warnings: string[]): Layout {
  const key = chooseKey(table, d, warnings);
  if (values.length === 0) {
    throw new CsvImportError(
      "NO_NUMERIC_COLUMN",
      `No numeric column found: besides the date column "${dateHeader}", no column holds numbers.`,
      { columns: d.headers, dateColumn: dateHeader },
    );
  }
  return { format: key ? "long" : stockOrWide(values.map((c) => d.headers[c.col])), key, values };
}

/**
 * The series id among the text columns. Without repeated dates only a column named like an id
 * makes a long file, and only if it groups rows (one value, or on average 2+ rows per value: not
 * a row id). With repeated dates any text column that separates them is the id, named and fewest
 * distinct values first; failing one, all candidates combined (store + item). Duplicates left are
 * blamed on the named id column if there is one (build reports them), else on the whole file.
 */
function chooseKey(table: RowTable, d: Dialect, warnings: string[]): RowKey | null {
  const { n, ts } = table;
  const asKey = (tc: TextColumn): RowKey => ({ codes: tc.codes.a, names: tc.names, header: d.headers[tc.col] });
  const usable = table.text.filter((tc) => !tc.capped && tc.names.length > 0 && !(tc.names.length === 1 && tc.names[0] === ""));
  const tsHasDup = hasDuplicates(ts, n);
  const candidates = tsHasDup
    ? usable.filter((tc) => tc.named || tc.names.length <= n / 2)
    : usable.filter((tc) => tc.named && (tc.names.length === 1 || tc.names.length <= n / 2));
  candidates.sort((a, b) => Number(b.named) - Number(a.named) || a.names.length - b.names.length);

  let used: TextColumn[] = [];
  let key: RowKey | null = null;
  const separating = candidates.find((tc) => !tsHasDup || !hasDuplicatesWithin(ts, n, tc.codes.a));
  if (separating) used = [separating];
  else if (candidates.length > 1) {
    const combo = combineKeys(candidates.map(asKey), n);
    if (combo.names.length <= n / 2 && !hasDuplicatesWithin(ts, n, combo.codes)) {
      key = combo;
      used = candidates;
    }
  }
  if (!key && used.length === 0) {
    const named = candidates.find((tc) => tc.named);
    if (named) used = [named];
  }
  if (!key && used.length === 1) key = asKey(used[0]);
  for (const tc of table.text) if (!used.includes(tc)) warnNotImported(tc, d, warnings);
  return key;
}

function warnNotImported(tc: TextColumn, d: Dialect, warnings: string[]): void {
  const header = d.headers[tc.col];
  const p = d.profiles[tc.col];
  if (tc.capped) {
    warnings.push(`Column "${header}" holds more than ${MAX_TEXT_KEYS.toLocaleString("en-US")} different values, so it is no series id; it was not imported (its rows were).`);
    return;
  }
  if (tc.names.every((name) => name === "")) {
    if (d.hasHeaderName[tc.col]) warnings.push(`Column "${header}" is empty; it was not imported.`);
    return;
  }
  warnings.push(
    p.nonMissing > 0 && p.numeric >= p.nonMissing / 2
      ? `Column "${header}" looks like an identifier, not a measurement; it was not imported.`
      : `Column "${header}" holds text, not numbers; it was not imported.`,
  );
}

/** A stock export: only OHLCV columns, with three of open/high/low/close, or close and volume. */
function stockOrWide(valueHeaders: string[]): DatasetFormat {
  const norm = valueHeaders.map(normalized);
  const ohlc = ["open", "high", "low", "close"].filter((x) => norm.includes(x) || (x === "close" && norm.includes("closelast"))).length;
  const stock = valueHeaders.every(isOhlcvName) && (ohlc >= 3 || (norm.includes("close") && norm.includes("volume")));
  return stock ? "ohlcv" : "wide";
}

/**
 * The name of the series of one value column (and, in a long file, one id): `AAPL` (the id, or
 * the column), `AAPL close` (an id with several value columns, or a stock export named after its
 * file), or the file's name for a lone generic column (`value`, `y`).
 */
export function seriesNamer(layout: Layout, headers: readonly string[], fileName: string): (id: string, column: NumericColumn) => string {
  const base = fileBaseName(fileName);
  const single = layout.values.length === 1;
  return (id, column) => {
    const header = headers[column.col];
    if (layout.key) return single ? id : `${id} ${header}`;
    if (layout.format === "ohlcv") return `${base} ${header}`;
    return single && isGenericValueName(header) ? base : header;
  };
}
