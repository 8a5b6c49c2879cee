import { prismaFor } from "../db/client";
import type { Db } from "../db/types";

/**
 * Datasets and their series as the app shows them, read through Prisma Client (model-shaped reads
 * with their relations); BIGINT columns converted to numbers (ms timestamps fit exactly).
 */
export interface SeriesSummary {
  id: number;
  datasetId: number;
  name: string;
  frequency: string;
  stepMs: number | null;
  unit: string | null;
  pointCount: number;
  firstTs: number | null;
  lastTs: number | null;
  gapCount: number;
  missingCount: number;
  currentForecastId: number | null;
}

export interface DatasetSummary {
  id: number;
  name: string;
  fileName: string;
  format: string;
  rowCount: number;
  createdAt: string;
  updatedAt: string;
  series: SeriesSummary[];
}

const toNumber = (v: bigint | null): number | null => (v === null ? null : Number(v));

type SeriesRow = {
  id: number;
  datasetId: number;
  name: string;
  frequency: string;
  stepMs: bigint | null;
  unit: string | null;
  pointCount: number;
  firstTs: bigint | null;
  lastTs: bigint | null;
  gapCount: number;
  missingCount: number;
  currentForecastId: number | null;
};

export function toSeriesSummary(s: SeriesRow): SeriesSummary {
  return {
    id: s.id,
    datasetId: s.datasetId,
    name: s.name,
    frequency: s.frequency,
    stepMs: toNumber(s.stepMs),
    unit: s.unit,
    pointCount: s.pointCount,
    firstTs: toNumber(s.firstTs),
    lastTs: toNumber(s.lastTs),
    gapCount: s.gapCount,
    missingCount: s.missingCount,
    currentForecastId: s.currentForecastId,
  };
}

type DatasetRow = {
  id: number;
  name: string;
  fileName: string;
  format: string;
  rowCount: number;
  createdAt: Date;
  updatedAt: Date;
  series: SeriesRow[];
};

function toDatasetSummary(d: DatasetRow): DatasetSummary {
  return {
    id: d.id,
    name: d.name,
    fileName: d.fileName,
    format: d.format,
    rowCount: d.rowCount,
    createdAt: d.createdAt.toISOString(),
    updatedAt: d.updatedAt.toISOString(),
    series: d.series.map(toSeriesSummary),
  };
}

const withSeries = { series: { orderBy: { name: "asc" as const } } };

export async function listDatasets(db: Db): Promise<DatasetSummary[]> {
  const rows = await (await prismaFor(db)).dataset.findMany({ orderBy: { createdAt: "desc" }, include: withSeries });
  return rows.map(toDatasetSummary);
}

export async function getDataset(db: Db, id: number): Promise<DatasetSummary | null> {
  const d = await (await prismaFor(db)).dataset.findUnique({ where: { id }, include: withSeries });
  return d ? toDatasetSummary(d) : null;
}

export async function getSeries(db: Db, id: number): Promise<(SeriesSummary & { datasetName: string }) | null> {
  const s = await (await prismaFor(db)).series.findUnique({ where: { id }, include: { dataset: { select: { name: true } } } });
  return s ? { ...toSeriesSummary(s), datasetName: s.dataset.name } : null;
}

/** Deletes a dataset with its series, points, runs and forecasts (cascading foreign keys). */
export async function deleteDataset(db: Db, id: number): Promise<boolean> {
  return (await db.run(`DELETE FROM "Dataset" WHERE "id" = ?`, [id])).changes > 0;
}

/** The id of the dataset called `name`, or null. */
export async function datasetIdByName(db: Db, name: string): Promise<number | null> {
  return (await db.get<{ id: number }>(`SELECT "id" FROM "Dataset" WHERE "name" = ?`, [name]))?.id ?? null;
}

export async function seriesExists(db: Db, seriesId: number): Promise<boolean> {
  return (await db.get(`SELECT 1 AS "one" FROM "Series" WHERE "id" = ?`, [seriesId])) !== undefined;
}
