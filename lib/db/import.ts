import type Database from "better-sqlite3";
import type { ParsedDataset, ParsedSeries } from "../series";
import { findGaps, inferFrequency } from "../series";
import { sqlite } from "./client";
import { toDbDate } from "./dates";
import { readPoints } from "./points";

export interface StoreOptions {
  name?: string; // dataset name; defaults to the file name without its extension
  fileName: string;
  contentHash: string;
  now?: Date;
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

const ROWS_PER_INSERT = 250; // 750 bound parameters per statement, well under SQLite's limit

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
export function storeDataset(parsed: ParsedDataset, options: StoreOptions, db: Database.Database = sqlite()): StoreResult {
  const name = options.name?.trim() || datasetNameFromFile(options.fileName);
  const now = toDbDate(options.now ?? new Date());
  const run = db.transaction((): StoreResult => {
    const existing = db.prepare('SELECT "id" FROM "Dataset" WHERE "name" = ?').get(name) as { id: number } | undefined;
    let datasetId: number;
    if (existing) {
      datasetId = existing.id;
      db.prepare(
        'UPDATE "Dataset" SET "fileName" = ?, "contentHash" = ?, "format" = ?, "rowCount" = ?, "updatedAt" = ? WHERE "id" = ?',
      ).run(options.fileName, options.contentHash, parsed.format, parsed.rowCount, now, datasetId);
    } else {
      datasetId = Number(
        db
          .prepare(
            'INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(name, options.fileName, options.contentHash, parsed.format, parsed.rowCount, now, now).lastInsertRowid,
      );
    }
    const series = parsed.series.map((s) => storeSeries(db, datasetId, s, now));
    return {
      dataset: { id: datasetId, name, fileName: options.fileName, format: parsed.format, rowCount: parsed.rowCount },
      created: !existing,
      series,
    };
  });
  return run.immediate(); // take the write lock up front: no upgrade deadlock with a concurrent writer
}

function storeSeries(db: Database.Database, datasetId: number, s: ParsedSeries, now: string): StoredSeries {
  const found = db.prepare('SELECT "id", "pointCount" FROM "Series" WHERE "datasetId" = ? AND "name" = ?').get(datasetId, s.name) as
    | { id: number; pointCount: number }
    | undefined;
  const seriesId =
    found?.id ??
    Number(
      db
        .prepare('INSERT INTO "Series" ("datasetId", "name", "frequency", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?)')
        .run(datasetId, s.name, s.frequency, now, now).lastInsertRowid,
    );
  const before = found?.pointCount ?? 0;
  const changes = insertPoints(db, seriesId, s.timestamps, s.values);

  // A new series keeps the parser's statistics; a merged one is re-described from all its points.
  let stats: { timestamps: Float64Array; values: Float64Array; frequency: string; stepMs: number | null; gapCount: number; missingCount: number };
  if (!found) {
    stats = { ...s, gapCount: s.gaps.length, missingCount: s.missingCount };
  } else {
    const all = readPoints(seriesId, {}, db);
    const { frequency, stepMs } = inferFrequency(all.timestamps);
    let missing = 0;
    for (let i = 0; i < all.values.length; i++) if (Number.isNaN(all.values[i])) missing++;
    stats = { ...all, frequency, stepMs, gapCount: findGaps(all.timestamps, all.values, frequency, stepMs).length, missingCount: missing };
  }
  const n = stats.timestamps.length;
  const firstTs = n > 0 ? stats.timestamps[0] : null;
  const lastTs = n > 0 ? stats.timestamps[n - 1] : null;
  db.prepare(
    'UPDATE "Series" SET "frequency" = ?, "stepMs" = ?, "pointCount" = ?, "firstTs" = ?, "lastTs" = ?, "gapCount" = ?, "missingCount" = ?, "updatedAt" = ? WHERE "id" = ?',
  ).run(stats.frequency, stats.stepMs, n, firstTs, lastTs, stats.gapCount, stats.missingCount, now, seriesId);
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

/** Upserts points in multi-row statements; returns how many rows were inserted or changed. */
function insertPoints(db: Database.Database, seriesId: number, timestamps: Float64Array, values: Float64Array): number {
  const statement = (rows: number) =>
    db.prepare(
      `INSERT INTO "Point" ("seriesId", "ts", "value") VALUES ${Array(rows).fill("(?, ?, ?)").join(", ")}
       ON CONFLICT ("seriesId", "ts") DO UPDATE SET "value" = excluded."value" WHERE "value" IS NOT excluded."value"`,
    );
  const full = statement(ROWS_PER_INSERT);
  const params: (number | null)[] = new Array(ROWS_PER_INSERT * 3);
  let changes = 0;
  const n = timestamps.length;
  let i = 0;
  for (; i + ROWS_PER_INSERT <= n; i += ROWS_PER_INSERT) {
    for (let r = 0; r < ROWS_PER_INSERT; r++) {
      const v = values[i + r];
      params[3 * r] = seriesId;
      params[3 * r + 1] = timestamps[i + r];
      params[3 * r + 2] = Number.isNaN(v) ? null : v;
    }
    changes += full.run(params).changes;
  }
  const rest = n - i;
  if (rest > 0) {
    const tail: (number | null)[] = [];
    for (let r = 0; r < rest; r++) {
      const v = values[i + r];
      tail.push(seriesId, timestamps[i + r], Number.isNaN(v) ? null : v);
    }
    changes += statement(rest).run(tail).changes;
  }
  return changes;
}
