import type { Db } from "../db/types";
import type { ParsedDataset, ParsedSeries } from "../series";
import { findGaps, inferFrequency } from "../series";
import { readPoints } from "./points";

/** "new": a dataset of its own (renamed when the name is taken); "append": into the dataset of that name. */
export type ImportMode = "new" | "append";
export const IMPORT_MODES: readonly ImportMode[] = ["new", "append"];

/**
 * An import refused for what was asked rather than for the file's content (CsvImportError): a
 * 4xx the API answers as it is, e.g. 404 DATASET_NOT_FOUND for an append to a missing dataset.
 */
export class ImportRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "ImportRefusal";
  }
}

export interface StoreOptions {
  name?: string; // dataset name; defaults to the file name without its extension
  mode?: ImportMode; // default "new"
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
  created: boolean; // false when the upload was appended to an existing dataset
  /** The name asked for when a dataset already had it and the new one got a numbered name. */
  renamedFrom: string | null;
  series: StoredSeries[];
}

export function datasetNameFromFile(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stem = base.replace(/\.(csv|tsv|txt)$/i, "").trim();
  return stem === "" ? "dataset" : stem;
}

/**
 * Stores a parsed upload in ONE transaction: the dataset, its series (merged by name) and their
 * points. Mode "new" always makes a dataset of its own: when the name is taken it becomes
 * "name (2)", "name (3)"… (`renamedFrom` says so). Mode "append" adds to the dataset of that
 * name (404 DATASET_NOT_FOUND when there is none): new timestamps are inserted and changed values
 * updated through the (seriesId, ts) primary key, so nothing is duplicated. Any error rolls
 * everything back.
 */
export async function storeDataset(db: Db, parsed: ParsedDataset, options: StoreOptions): Promise<StoreResult> {
  const wanted = options.name?.trim() || datasetNameFromFile(options.fileName);
  const now = options.now ?? new Date();
  return db.transaction(async (tx): Promise<StoreResult> => {
    const target =
      options.mode === "append"
        ? await appendTarget(tx, wanted, parsed, options, now)
        : await createDataset(tx, wanted, [options.fileName, options.contentHash, parsed.format, parsed.rowCount, now, now]);
    const series: StoredSeries[] = [];
    for (const s of parsed.series) series.push(await storeSeries(tx, target.id, s, now));
    return {
      dataset: { id: target.id, name: target.name, fileName: options.fileName, format: parsed.format, rowCount: parsed.rowCount },
      created: options.mode !== "append",
      renamedFrom: target.name === wanted ? null : wanted,
      series,
    };
  });
}

/** The dataset an append goes to, locked and updated to describe its latest file. */
async function appendTarget(tx: Db, name: string, parsed: ParsedDataset, options: StoreOptions, now: Date): Promise<{ id: number; name: string }> {
  const existing = await tx.get<{ id: number }>(`SELECT "id" FROM "Dataset" WHERE "name" = ?${tx.dialect.forUpdate}`, [name]);
  if (!existing) {
    throw new ImportRefusal(404, "DATASET_NOT_FOUND", `There is no dataset named "${name}" to append to: check the name, or upload without mode=append to create it.`, {
      field: "name",
      name,
    });
  }
  await tx.run(`UPDATE "Dataset" SET "fileName" = ?, "contentHash" = ?, "format" = ?, "rowCount" = ?, "updatedAt" = ? WHERE "id" = ?`, [
    options.fileName,
    options.contentHash,
    parsed.format,
    parsed.rowCount,
    now,
    existing.id,
  ]);
  return { id: existing.id, name };
}

/**
 * Inserts a dataset under `wanted`, or the first free "wanted (n)". The insert itself decides
 * (ON CONFLICT on the unique name, on both databases), so two uploads of one name at once get
 * two names; the look-up of taken names only picks where to start.
 */
async function createDataset(tx: Db, wanted: string, values: [string, string, string, number, Date, Date]): Promise<{ id: number; name: string }> {
  const prefix = `${wanted} (`; // substr counts characters (code points) on both databases
  const taken = new Set(
    (await tx.all<{ name: string }>(`SELECT "name" FROM "Dataset" WHERE "name" = ? OR substr("name", 1, ?) = ?`, [wanted, [...prefix].length, prefix])).map((r) => r.name),
  );
  for (let n = 1; ; n++) {
    const name = n === 1 ? wanted : `${wanted} (${n})`;
    if (taken.has(name)) continue;
    const row = await tx.get<{ id: number }>(
      `INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("name") DO NOTHING RETURNING "id"`,
      [name, ...values],
    );
    if (row) return { id: row.id, name };
  }
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
