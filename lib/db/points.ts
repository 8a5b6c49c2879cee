import type Database from "better-sqlite3";
import { sqlite } from "./client";

export interface PointColumns {
  timestamps: Float64Array; // ms since epoch, ascending
  values: Float64Array; // NaN where the value is missing
}

/** Reads a series' points in time order, optionally within [from, to] (ms, inclusive). */
export function readPoints(seriesId: number, range: { from?: number; to?: number } = {}, db: Database.Database = sqlite()): PointColumns {
  const from = range.from ?? Number.MIN_SAFE_INTEGER;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  const count = (
    db.prepare('SELECT COUNT(*) AS n FROM "Point" WHERE "seriesId" = ? AND "ts" BETWEEN ? AND ?').get(seriesId, from, to) as { n: number }
  ).n;
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  // raw() yields arrays, not objects: a million rows stream without a million small allocations.
  const rows = db
    .prepare('SELECT "ts", "value" FROM "Point" WHERE "seriesId" = ? AND "ts" BETWEEN ? AND ? ORDER BY "ts"')
    .raw(true)
    .iterate(seriesId, from, to) as IterableIterator<[number, number | null]>;
  let i = 0;
  for (const [ts, value] of rows) {
    if (i >= count) break; // a concurrent append; the count taken first bounds the read
    timestamps[i] = ts;
    values[i] = value === null ? Number.NaN : value;
    i++;
  }
  return i === count ? { timestamps, values } : { timestamps: timestamps.subarray(0, i), values: values.subarray(0, i) };
}

export interface ValueStats {
  min: number | null;
  max: number | null;
  mean: number | null;
  missing: number;
}

/** Min, max, mean and missing count of a series' values, computed in SQLite. */
export function valueStats(seriesId: number, db: Database.Database = sqlite()): ValueStats {
  const row = db
    .prepare(
      'SELECT MIN("value") AS min, MAX("value") AS max, AVG("value") AS mean, SUM("value" IS NULL) AS missing FROM "Point" WHERE "seriesId" = ?',
    )
    .get(seriesId) as { min: number | null; max: number | null; mean: number | null; missing: number | null };
  return { min: row.min, max: row.max, mean: row.mean, missing: row.missing ?? 0 };
}
