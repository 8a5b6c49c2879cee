import type { Db } from "../db/types";
import type { SeriesInput } from "../forecast";
import { FREQUENCIES, type Frequency } from "../series/frequency";

export interface PointColumns {
  timestamps: Float64Array; // ms since epoch, ascending
  values: Float64Array; // NaN where the value is missing
}

/** Reads a series' points in time order, optionally within [from, to] (ms, inclusive). */
export async function readPoints(db: Db, seriesId: number, range: { from?: number; to?: number } = {}): Promise<PointColumns> {
  const from = range.from ?? Number.MIN_SAFE_INTEGER;
  const to = range.to ?? Number.MAX_SAFE_INTEGER;
  // Rows as arrays, not objects: a million points without a million small objects.
  const rows = (await db.values(`SELECT "ts", "value" FROM "Point" WHERE "seriesId" = ? AND "ts" BETWEEN ? AND ? ORDER BY "ts"`, [seriesId, from, to])) as [
    number,
    number | null,
  ][];
  const timestamps = new Float64Array(rows.length);
  const values = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) {
    timestamps[i] = rows[i][0];
    values[i] = rows[i][1] ?? Number.NaN;
  }
  return { timestamps, values };
}

export interface ValueStats {
  min: number | null;
  max: number | null;
  mean: number | null;
  missing: number;
}

/** Min, max, mean and missing count of a series' values, computed in the database. */
export async function valueStats(db: Db, seriesId: number): Promise<ValueStats> {
  const row = (await db.get<ValueStats>(
    `SELECT MIN("value") AS "min", MAX("value") AS "max", AVG("value") AS "mean", COUNT(*) - COUNT("value") AS "missing" FROM "Point" WHERE "seriesId" = ?`,
    [seriesId],
  ))!;
  return { min: row.min, max: row.max, mean: row.mean, missing: row.missing ?? 0 };
}

export interface SeriesMeta {
  name: string;
  frequency: string;
  stepMs: number | null;
}

/** What training needs besides the points. */
export async function seriesMeta(db: Db, seriesId: number): Promise<SeriesMeta | null> {
  return (await db.get<SeriesMeta>(`SELECT "name", "frequency", "stepMs" FROM "Series" WHERE "id" = ?`, [seriesId])) ?? null;
}

/** A series as the forecasting engine takes it (null when it no longer exists). */
export async function loadSeriesInput(db: Db, seriesId: number): Promise<SeriesInput | null> {
  const row = await seriesMeta(db, seriesId);
  if (!row) return null;
  const { timestamps, values } = await readPoints(db, seriesId);
  const frequency = (FREQUENCIES as readonly string[]).includes(row.frequency) ? (row.frequency as Frequency) : "irregular";
  return { name: row.name, timestamps, values, frequency, stepMs: row.stepMs };
}
