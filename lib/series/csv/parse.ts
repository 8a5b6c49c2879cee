/**
 * CSV import: text in, typed series out (or a CsvImportError naming the row and column at fault).
 * Each stage is its own module; this one only runs them in order:
 *
 *  0. decode (size limit, binary check, encoding, BOM, line ends)           ../decode.ts
 *  1. sniff the dialect: delimiter, header, sample rows, decimal mark,
 *     and a profile of each column over the sample                          dialect.ts, profile.ts
 *  2. find the date column(s) from the profiles                            date-column.ts
 *  3. stream every row once into typed arrays (numbers parsed on the spot,
 *     text columns coded, dates read where they can be alone)              rows.ts
 *  4. the numeric columns that are series (stray text, infinities refused)  layout.ts
 *  5. resolve the pending dates column-wide (day/month order, time column)  timestamps.ts
 *  6. the layout: long (a series-id column), stock OHLCV or wide            layout.ts
 *  7. build each series: sorted, duplicate dates refused, trimmed,
 *     frequency and gaps                                                   build.ts
 *
 * Every data row is imported, refused with an error naming it, or counted in a warning.
 */
import { DEFAULT_MAX_BYTES, decodeInput } from "../decode";
import { buildAllSeries } from "./build";
import { findDateColumns } from "./date-column";
import { sniffDialect, spreadsheetRow } from "./dialect";
import { chooseLayout, seriesNamer, valueColumns } from "./layout";
import { rowsSubject } from "./messages";
import { type RowTable, streamRows } from "./rows";
import { type DateContext, resolveTimestamps } from "./timestamps";
import type { ParseCsvOptions, ParsedDataset } from "./types";

/** Parses an uploaded CSV into series. Throws CsvImportError (see errors.ts) on bad input. */
export function parseCsv(input: string | Uint8Array, options: ParseCsvOptions): ParsedDataset {
  const warnings: string[] = [];
  const text = decodeInput(input, options.maxBytes ?? DEFAULT_MAX_BYTES, warnings);
  const dialect = sniffDialect(text, warnings);
  const rowOf = (record: number) => spreadsheetRow(dialect, record);
  const dates: DateContext = { cols: findDateColumns(dialect), headers: dialect.headers, delimiter: dialect.delimiter, mark: dialect.mark, rowOf };
  const table = streamRows(dialect, dates);
  warnEmptyRows(table, rowOf, warnings);
  const values = valueColumns(table, dialect, warnings);
  resolveTimestamps(table.ts, table.records, table.pending, dates, warnings);
  const layout = chooseLayout(table, values, dialect, dates.cols.header, warnings);
  const series = buildAllSeries(table, layout, { nameOf: seriesNamer(layout, dialect.headers, options.fileName), rowOf }, warnings);
  return { format: layout.format, delimiter: dialect.delimiter, dateColumn: dates.cols.header, rowCount: table.n, series, warnings };
}

/** Rows of empty cells only (`,,,`, as spreadsheets export below the data) are skipped, and said so. */
function warnEmptyRows(table: RowTable, rowOf: (record: number) => number, warnings: string[]): void {
  if (table.emptyCount === 0) return;
  const rows = table.emptyRecords.map(rowOf);
  const [verb, they] = table.emptyCount === 1 ? ["has", "it was"] : ["have", "they were"];
  warnings.push(`${rowsSubject(rows, table.emptyCount)} ${verb} only empty cells; ${they} skipped.`);
}
