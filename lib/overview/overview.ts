import type { Db, SqlValue } from "../db/types";
import { fromDbDate } from "../db/dates";
import { listEvents } from "../events/store";
import type { EventView } from "../events/types";
import { orderOf, SERIES_STATUSES, type OverviewQuery, type OverviewSort, type SeriesHealth } from "./query";

/**
 * The overview of every series: a page of them with their current model, last forecast, realised
 * accuracy and coverage, status, next scheduled run, open alerts and a sparkline, plus the status
 * counts and the alerts and events on top. Whatever the number of series, a page takes a fixed
 * handful of queries (status counts, the page's ids, their rows, their sparklines, alerts, events): the
 * per-series facts are joins and correlated subqueries on indexed keys, never a query per series.
 *
 * Status: failing (its latest finished run failed), never trained (no forecast), drifting (an
 * alert rule holds at its newest actuals, lib/accuracy/rules.ts), healthy otherwise.
 */
export interface OverviewRow {
  id: number;
  name: string;
  datasetId: number;
  datasetName: string;
  frequency: string;
  pointCount: number;
  lastTs: number | null;
  status: SeriesHealth;
  current: { forecastId: number; runId: number | null; model: string; createdAt: string; endTs: number | null } | null;
  realised: { points: number; window: number; mase: number | null; smape: number | null; coverage80: number | null; coverage95: number | null } | null;
  promisedMase: number | null;
  summary: string | null;
  nextRunAt: string | null;
  onNewData: boolean;
  openAlerts: number;
  /** The newest points' values (oldest first), for a sparkline; null where missing. */
  sparkline: (number | null)[];
}

export interface OverviewPage {
  rows: OverviewRow[];
  total: number;
  page: number;
  pageSize: number;
  pages: number;
  sort: OverviewSort;
  order: "asc" | "desc";
  status: SeriesHealth[];
  q: string;
  /** Series per status, with the name filter but not the status filter. */
  counts: Record<SeriesHealth, number>;
  /** Unacknowledged alerts, newest first. */
  alerts: EventView[];
  openAlerts: number;
  /** The newest events of every kind. */
  events: EventView[];
}

export const SPARKLINE_POINTS = 48;

const LAST_FINISHED = `(SELECT r."status" FROM "Run" r WHERE r."seriesId" = s."id" AND r."status" IN ('succeeded', 'failed') ORDER BY r."id" DESC LIMIT 1)`;
const HAS_FORECAST = `EXISTS (SELECT 1 FROM "Forecast" f WHERE f."seriesId" = s."id")`;
const STATUS = `CASE WHEN ${LAST_FINISHED} = 'failed' THEN 'failing'
                     WHEN s."currentForecastId" IS NULL AND NOT ${HAS_FORECAST} THEN 'never'
                     WHEN ss."drifting" = TRUE THEN 'drifting'
                     ELSE 'healthy' END`;
const STATUS_RANK = `CASE "status" WHEN 'failing' THEN 0 WHEN 'drifting' THEN 1 WHEN 'healthy' THEN 2 ELSE 3 END`;

const BASE = `FROM "Series" s JOIN "Dataset" d ON d."id" = s."datasetId" LEFT JOIN "SeriesScore" ss ON ss."seriesId" = s."id"`;

// MIN, not ORDER BY … LIMIT 1: SQLite would walk the (enabled, nextRunAt) index for the order instead of the series' own schedules.
const NEXT_RUN = `(SELECT MIN(sc."nextRunAt") FROM "Schedule" sc WHERE sc."seriesId" = s."id" AND sc."enabled" = TRUE)`;
const OPEN_ALERTS = `(SELECT COUNT(*) FROM "Event" e WHERE e."seriesId" = s."id" AND e."severity" = 'alert' AND e."acknowledgedAt" IS NULL)`;
const CURRENT = `LEFT JOIN "Forecast" cf ON cf."id" = s."currentForecastId"`;

const ROW_COLUMNS = `s."id", s."name", s."datasetId", d."name" AS "datasetName", s."frequency", s."pointCount", s."lastTs",
    s."currentForecastId", cf."runId" AS "currentRunId", cf."model" AS "currentModel", cf."createdAt" AS "forecastAt",
    (SELECT MAX(fp."ts") FROM "ForecastPoint" fp WHERE fp."forecastId" = s."currentForecastId") AS "forecastEnd",
    ss."points" AS "scoredPoints", ss."window", ss."mase", ss."smape", ss."coverage80", ss."coverage95", ss."promisedMase", ss."summary",
    ${NEXT_RUN} AS "nextRunAt",
    (SELECT COUNT(*) FROM "Schedule" sc WHERE sc."seriesId" = s."id" AND sc."enabled" = TRUE AND sc."onNewData" = TRUE) AS "onNewData",
    ${OPEN_ALERTS} AS "openAlerts", ${STATUS} AS "status"`;

interface Listed {
  id: number;
  name: string;
  datasetId: number;
  datasetName: string;
  frequency: string;
  pointCount: number;
  lastTs: number | null;
  currentForecastId: number | null;
  currentRunId: number | null;
  currentModel: string | null;
  forecastAt: Date | string | null;
  forecastEnd: number | null;
  scoredPoints: number | null;
  window: number | null;
  mase: number | null;
  smape: number | null;
  coverage80: number | null;
  coverage95: number | null;
  promisedMase: number | null;
  summary: string | null;
  nextRunAt: Date | string | null;
  onNewData: number;
  openAlerts: number;
  status: SeriesHealth;
}

/** A DateTime read through an expression (SQLite cannot type it): ISO text or a Date. */
function iso(v: Date | string | null): string | null {
  if (v === null) return null;
  return (v instanceof Date ? v : fromDbDate(v)).toISOString();
}

/** Each sort's key, computed for every series of the filter (the rest of a row only for the page's). */
const SORT_KEY: Record<OverviewSort, string> = {
  status: `${STATUS}`,
  name: `s."name"`,
  mase: `ss."mase"`,
  coverage: `ss."coverage95"`,
  forecast: `cf."createdAt"`,
  next: NEXT_RUN,
  alerts: OPEN_ALERTS,
};

function filters(q: OverviewQuery, withStatus: boolean): { where: string; params: SqlValue[] } {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  if (q.q) {
    parts.push(`(LOWER("name") LIKE ? OR LOWER("datasetName") LIKE ?)`);
    const like = `%${q.q.toLowerCase().replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    params.push(like, like);
  }
  if (withStatus && q.status && q.status.length > 0) {
    parts.push(`"status" IN (${q.status.map(() => "?").join(", ")})`);
    params.push(...q.status);
  }
  return { where: parts.length ? `WHERE ${parts.map((p) => p.replace(/LIKE \?/g, "LIKE ? ESCAPE '\\'")).join(" AND ")}` : "", params };
}

async function statusCounts(db: Db, q: OverviewQuery): Promise<Record<SeriesHealth, number>> {
  const { where, params } = filters(q, false);
  const rows = await db.all<{ status: SeriesHealth; n: number }>(
    `SELECT "status", COUNT(*) AS "n" FROM (SELECT s."name", d."name" AS "datasetName", ${STATUS} AS "status" ${BASE}) t ${where} GROUP BY "status"`,
    params,
  );
  const counts = Object.fromEntries(SERIES_STATUSES.map((s) => [s, 0])) as Record<SeriesHealth, number>;
  for (const r of rows) counts[r.status] = r.n;
  return counts;
}

/**
 * The page: first the ids, ordered and cut with only the filter's and the sort's columns computed
 * for every series; then the full rows of those ids (at most a page of correlated subqueries).
 */
async function pageRows(db: Db, q: OverviewQuery, order: "asc" | "desc"): Promise<Listed[]> {
  const { where, params } = filters(q, true);
  const dir = order === "desc" ? "DESC" : "ASC";
  const key = q.sort === "status" ? STATUS_RANK : `"sortKey"`;
  const ids = (
    await db.all<{ id: number }>(
      `SELECT "id" FROM (SELECT s."id", s."name", d."name" AS "datasetName", ${STATUS} AS "status", ${SORT_KEY[q.sort]} AS "sortKey" ${BASE} ${CURRENT}) t ${where}
        ORDER BY (${key}) IS NULL, ${key} ${dir}, "name", "id" LIMIT ? OFFSET ?`,
      [...params, q.pageSize, (q.page - 1) * q.pageSize],
    )
  ).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = await db.all<Listed>(`SELECT ${ROW_COLUMNS} ${BASE} ${CURRENT} WHERE s."id" IN (${ids.map(() => "?").join(", ")})`, ids);
  const byId = new Map(rows.map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id)!);
}

/** The newest SPARKLINE_POINTS values of each series, in one query (an index range per series). */
async function sparklines(db: Db, ids: number[]): Promise<Map<number, (number | null)[]>> {
  const out = new Map<number, (number | null)[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = (await db.values(
    `WITH cut AS (
       SELECT s."id" AS "sid",
              (SELECT p2."ts" FROM "Point" p2 WHERE p2."seriesId" = s."id" ORDER BY p2."ts" DESC LIMIT 1 OFFSET ${SPARKLINE_POINTS - 1}) AS "fromTs"
         FROM "Series" s WHERE s."id" IN (${ids.map(() => "?").join(", ")})
     )
     SELECT p."seriesId", p."value" FROM cut JOIN "Point" p ON p."seriesId" = cut."sid" AND p."ts" >= COALESCE(cut."fromTs", ?)
      ORDER BY p."seriesId", p."ts"`,
    [...ids, Number.MIN_SAFE_INTEGER],
  )) as [number, number | null][];
  for (const [id, value] of rows) out.get(id)!.push(value);
  return out;
}

function toRow(r: Listed, spark: (number | null)[]): OverviewRow {
  return {
    id: r.id,
    name: r.name,
    datasetId: r.datasetId,
    datasetName: r.datasetName,
    frequency: r.frequency,
    pointCount: r.pointCount,
    lastTs: r.lastTs,
    status: r.status,
    current:
      r.currentForecastId === null || r.currentModel === null
        ? null
        : { forecastId: r.currentForecastId, runId: r.currentRunId, model: r.currentModel, createdAt: iso(r.forecastAt)!, endTs: r.forecastEnd },
    realised:
      r.scoredPoints === null
        ? null
        : { points: r.scoredPoints, window: r.window ?? 0, mase: r.mase, smape: r.smape, coverage80: r.coverage80, coverage95: r.coverage95 },
    promisedMase: r.promisedMase,
    summary: r.summary,
    nextRunAt: iso(r.nextRunAt),
    onNewData: r.onNewData > 0,
    openAlerts: r.openAlerts,
    sparkline: spark,
  };
}

export async function overviewPage(db: Db, q: OverviewQuery): Promise<OverviewPage> {
  const order = orderOf(q);
  const counts = await statusCounts(db, q);
  const shown: readonly SeriesHealth[] = q.status && q.status.length > 0 ? q.status : SERIES_STATUSES;
  let total = 0;
  for (const k of shown) total += counts[k];
  const rows = await pageRows(db, q, order);
  const spark = await sparklines(
    db,
    rows.map((r) => r.id),
  );
  const alerts = await listEvents(db, { severity: "alert", unacknowledged: true, limit: 20 });
  const events = await listEvents(db, { limit: 10 });
  return {
    rows: rows.map((r) => toRow(r, spark.get(r.id) ?? [])),
    total,
    page: q.page,
    pageSize: q.pageSize,
    pages: Math.max(1, Math.ceil(total / q.pageSize)),
    sort: q.sort,
    order,
    status: q.status ?? [],
    q: q.q ?? "",
    counts,
    alerts,
    openAlerts: await openAlertTotal(db),
    events,
  };
}

async function openAlertTotal(db: Db): Promise<number> {
  return (await db.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Event" WHERE "severity" = 'alert' AND "acknowledgedAt" IS NULL`))!.n;
}
