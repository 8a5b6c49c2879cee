import type { Db } from "../db/types";
import type { ParsedDataset, ParsedSeries } from "../series";
import { findGaps, inferFrequency } from "../series";
import { readPoints } from "./points";

export interface StoreOptions {
  name?: string; // dataset name; defaults to the file name without its extension
  fileName: string;
  contentHash: string;
  now?: Date;
  /**
   * Runs inside the import's transaction once the points are stored: what new points set off
   * (scoring stored forecasts, alerts, retrains; lib/ingest) commits or rolls back with them.
   */
  afterStore?: (tx: Db, result: StoreResult) => Promise<void>;
}

export interface StoredSeries {
  id: number;
  name: string;
  frequency: string;
  pointCount: number;
  firstTs: number | null;
  lastTs: number | null;
  gapCount: number;
  missingCount: number;
  inserted: number; // points new to the database
  updated: number; // points whose value changed
}

export interface StoreResult {
  dataset: { id: number; name: string; fileName: string; format: string; rowCount: number };
  created: boolean; // false when the upload merged into an existing dataset of that name
  series: StoredSeries[];
}

export function datasetNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = base.replace(/\.(csv|tsv|txt)$/i, "").trim();
  return stem === "" ? "dataset" : stem;
}

/**
 * Stores a parsed upload in ONE transaction: the dataset (merged by name), its series (merged by
 * name) and their points. A re-upload appends new timestamps and updates changed values through
 * the (seriesId, ts) primary key, so nothing is duplicated; any error rolls everything back.
 */
export async function storeDataset(db: Db, parsed: ParsedDataset, options: StoreOptions): Promise<StoreResult> {
  const name = options.name?.trim() || datasetNameFromFile(options.fileName);
  const now = options.now ?? new Date();
  return db.transaction(async (tx): Promise<StoreResult> => {
    // Locked: two uploads under one new name must not both create it (PostgreSQL; SQLite's
    // transaction holds the write lock already).
    const existing = await tx.get<{ id: number }>(`SELECT "id" FROM "Dataset" WHERE "name" = ?${tx.dialect.forUpdate}`, [name]);
    let datasetId: number;
    if (existing) {
      datasetId = existing.id;
      await tx.run(`UPDATE "Dataset" SET "fileName" = ?, "contentHash" = ?, "format" = ?, "rowCount" = ?, "updatedAt" = ? WHERE "id" = ?`, [
        options.fileName,
        options.contentHash,
        parsed.format,
        parsed.rowCount,
        now,
        datasetId,
      ]);
    } else {
      const row = await tx.get<{ id: number }>(
        `INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
        [name, options.fileName, options.contentHash, parsed.format, parsed.rowCount, now, now],
      );
      datasetId = row!.id;
    }
    const series: StoredSeries[] = [];
    for (const s of parsed.series) series.push(await storeSeries(tx, datasetId, s, now));
    const result: StoreResult = {
      dataset: { id: datasetId, name, fileName: options.fileName, format: parsed.format, rowCount: parsed.rowCount },
      created: !existing,
      series,
    };
    await options.afterStore?.(tx, result);
    return result;
  });
}

async function storeSeries(tx: Db, datasetId: number, s: ParsedSeries, now: Date): Promise<StoredSeries> {
  const found = await tx.get<{ id: number; pointCount: number }>(`SELECT "id", "pointCount" FROM "Series" WHERE "datasetId" = ? AND "name" = ?`, [datasetId, s.name]);
  const seriesId =
    found?.id ??
    (await tx.get<{ id: number }>(`INSERT INTO "Series" ("datasetId", "name", "frequency", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?) RETURNING "id"`, [
      datasetId,
      s.name,
      s.frequency,
      now,
      now,
    ]))!.id;
  const before = found?.pointCount ?? 0;
  // A missing value (NaN) is stored as NULL, never 0. A merged series upserts through the
  // (seriesId, ts) key; a new one cannot conflict (the parser refuses duplicate timestamps), so
  // its points go in plainly (COPY straight into the table on PostgreSQL).
  const changes = await tx.insertMany({
    table: "Point",
    columns: ["seriesId", "ts", "value"],
    values: [{ constant: seriesId }, s.timestamps, s.values],
    rows: s.timestamps.length,
    onConflict: found ? { target: ["seriesId", "ts"], update: ["value"] } : undefined,
  });

  // A new series keeps the parser's statistics; a merged one is re-described from all its points.
  let stats: { timestamps: Float64Array; values: Float64Array; frequency: string; stepMs: number | null; gapCount: number; missingCount: number };
  if (!found) {
    stats = { ...s, gapCount: s.gaps.length, missingCount: s.missingCount };
  } else {
    const all = await readPoints(tx, seriesId);
    const { frequency, stepMs } = inferFrequency(all.timestamps);
    let missing = 0;
    for (let i = 0; i < all.values.length; i++) if (Number.isNaN(all.values[i])) missing++;
    stats = { ...all, frequency, stepMs, gapCount: findGaps(all.timestamps, all.values, frequency, stepMs).length, missingCount: missing };
  }
  const n = stats.timestamps.length;
  const firstTs = n > 0 ? stats.timestamps[0] : null;
  const lastTs = n > 0 ? stats.timestamps[n - 1] : null;
  await tx.run(
    `UPDATE "Series" SET "frequency" = ?, "stepMs" = ?, "pointCount" = ?, "firstTs" = ?, "lastTs" = ?, "gapCount" = ?, "missingCount" = ?, "updatedAt" = ? WHERE "id" = ?`,
    [stats.frequency, stats.stepMs, n, firstTs, lastTs, stats.gapCount, stats.missingCount, now, seriesId],
  );
  const inserted = n - before;
  return {
    id: seriesId,
    name: s.name,
    frequency: stats.frequency,
    pointCount: n,
    firstTs,
    lastTs,
    gapCount: stats.gapCount,
    missingCount: stats.missingCount,
    inserted,
    updated: changes - inserted,
  };
}
