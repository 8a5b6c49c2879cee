/**
 * Runs the stages before the one a test is about, on a small CSV text, so each stage's test
 * feeds it exactly what the pipeline would (see lib/series/csv/parse.ts for the order).
 */
import { findDateColumns } from "../../../../lib/series/csv/date-column";
import { type Dialect, sniffDialect, spreadsheetRow } from "../../../../lib/series/csv/dialect";
import { type RowTable, streamRows } from "../../../../lib/series/csv/rows";
import { type DateContext, resolveTimestamps } from "../../../../lib/series/csv/timestamps";

export function sniffed(csv: string): { dialect: Dialect; warnings: string[] } {
  const warnings: string[] = [];
  return { dialect: sniffDialect(csv, warnings), warnings };
}

export function dateContext(dialect: Dialect): DateContext {
  return {
    cols: findDateColumns(dialect),
    headers: dialect.headers,
    delimiter: dialect.delimiter,
    mark: dialect.mark,
    rowOf: (record) => spreadsheetRow(dialect, record),
  };
}

/** Sniffed, date column found, streamed; timestamps resolved unless `resolve` is false. */
export function streamed(csv: string, resolve = true): { dialect: Dialect; dates: DateContext; table: RowTable; warnings: string[] } {
  const { dialect, warnings } = sniffed(csv);
  const dates = dateContext(dialect);
  const table = streamRows(dialect, dates);
  if (resolve) resolveTimestamps(table.ts, table.records, table.pending, dates, warnings);
  return { dialect, dates, table, warnings };
}

export const utc = (y: number, m: number, d: number, h = 0, mi = 0): number => Date.UTC(y, m - 1, d, h, mi);
