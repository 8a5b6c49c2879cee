import type { Db, SqlValue } from "../db/types";
import type { ModelConfig } from "../forecast/config";
import { RUN_COLUMNS, type RunRow, type RunStatus } from "./types";

/**
 * Reads of training runs for the API and the dashboard. A list is ONE query whatever its length
 * (the series page polls it every second): the run, its job and the series' current forecast by
 * joins, its forecast and epoch statistics by correlated subqueries on primary-key prefixes.
 * A run's loss curve is the epochs of its CURRENT attempt only: a worker that died mid-training
 * left epochs under an older attempt number, and they never mix into the curve.
 */
export interface EpochView {
  member: number;
  epoch: number;
  trainLoss: number;
  valLoss: number | null;
  ms: number;
}

export interface RunProgress {
  epochsDone: number; // epochs finished in this attempt, over all ensemble members
  epochsTotal: number; // upper bound: members × epochs (early stopping may end sooner)
  member: number | null; // the ensemble member training now, as the engine numbers it (from 1), from the latest epoch
  members: number | null;
  epoch: number | null; // latest epoch of that member
  epochs: number; // epochs per member
  percent: number; // 0..100
  elapsedMs: number | null; // since this attempt started
  etaMs: number | null; // remaining, from the mean epoch time so far (null before the first epoch)
}

export interface RunJobView {
  id: number;
  status: string;
  attempts: number;
  maxAttempts: number;
  lastError: string | null;
  runAt: string; // when the next attempt may start (for a queued retry), ISO 8601
  lockedBy: string | null;
}

export interface RunView {
  id: number;
  seriesId: number;
  status: RunStatus;
  config: ModelConfig;
  attempt: number;
  progress: RunProgress;
  bestEpoch: number | null;
  metrics: Record<string, unknown> | null;
  error: string | null;
  scheduleId: number | null;
  cancelRequested: boolean;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  forecastId: number | null;
  isCurrent: boolean; // its forecast is the series' current one
  job: RunJobView | null;
  epochs?: EpochView[];
}

interface ListedRun extends RunRow {
  jobStatus: string | null;
  jobAttempts: number | null;
  jobMaxAttempts: number | null;
  jobLastError: string | null;
  jobRunAt: Date | null;
  jobLockedBy: string | null;
  currentForecastId: number | null;
  forecastId: number | null;
  epochCount: number;
  epochMs: number | null;
  lastMember: number | null;
  lastEpoch: number | null;
}

const ofAttempt = `e."runId" = r."id" AND e."attempt" = r."attempt"`;
const LISTED = `SELECT ${RUN_COLUMNS.replace(/"(\w+)"/g, 'r."$1"')},
    j."status" AS "jobStatus", j."attempts" AS "jobAttempts", j."maxAttempts" AS "jobMaxAttempts",
    j."lastError" AS "jobLastError", j."runAt" AS "jobRunAt", j."lockedBy" AS "jobLockedBy",
    s."currentForecastId",
    (SELECT MAX(f."id") FROM "Forecast" f WHERE f."runId" = r."id") AS "forecastId",
    (SELECT COUNT(*) FROM "Epoch" e WHERE ${ofAttempt}) AS "epochCount",
    (SELECT SUM(e."ms") FROM "Epoch" e WHERE ${ofAttempt}) AS "epochMs",
    (SELECT MAX(e."member") FROM "Epoch" e WHERE ${ofAttempt}) AS "lastMember",
    (SELECT MAX(e."epoch") FROM "Epoch" e WHERE ${ofAttempt}
        AND e."member" = (SELECT MAX(m."member") FROM "Epoch" m WHERE m."runId" = r."id" AND m."attempt" = r."attempt")) AS "lastEpoch"
  FROM "Run" r
  LEFT JOIN "Job" j ON j."id" = r."jobId"
  LEFT JOIN "Series" s ON s."id" = r."seriesId"`;

function progressOf(run: ListedRun, config: ModelConfig, now: number): RunProgress {
  const epochs = config.epochs;
  const total = Math.max(run.epochsTotal, run.epochsDone, 1);
  const done = run.status === "succeeded" ? total : run.epochsDone;
  const mean = run.epochCount > 0 && run.epochMs !== null ? run.epochMs / run.epochCount : null;
  const startedAt = run.startedAt?.getTime() ?? null;
  return {
    epochsDone: run.epochsDone,
    epochsTotal: total,
    member: run.lastMember,
    members: epochs > 0 ? Math.max(1, Math.round(total / epochs)) : null,
    epoch: run.lastEpoch,
    epochs,
    percent: Math.min(100, Math.round((done / total) * 1000) / 10),
    elapsedMs: startedAt === null ? null : (run.finishedAt?.getTime() ?? now) - startedAt,
    etaMs: run.status === "running" && mean !== null ? Math.round(mean * Math.max(0, total - run.epochsDone)) : run.status === "succeeded" ? 0 : null,
  };
}

function toView(run: ListedRun, now: number): RunView {
  const config = JSON.parse(run.config) as ModelConfig;
  return {
    id: run.id,
    seriesId: run.seriesId,
    status: run.status,
    config,
    attempt: run.attempt,
    progress: progressOf(run, config, now),
    bestEpoch: run.bestEpoch,
    metrics: run.metrics ? (JSON.parse(run.metrics) as Record<string, unknown>) : null,
    error: run.error,
    scheduleId: run.scheduleId,
    cancelRequested: run.cancelRequested,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    forecastId: run.forecastId,
    isCurrent: run.forecastId !== null && run.currentForecastId === run.forecastId,
    job:
      run.jobId === null || run.jobStatus === null
        ? null
        : {
            id: run.jobId,
            status: run.jobStatus,
            attempts: run.jobAttempts!,
            maxAttempts: run.jobMaxAttempts!,
            lastError: run.jobLastError,
            runAt: run.jobRunAt!.toISOString(),
            lockedBy: run.jobLockedBy,
          },
  };
}

async function listed(db: Db, where: string, params: readonly SqlValue[], limit: number): Promise<RunView[]> {
  const rows = await db.all<ListedRun>(`${LISTED} ${where} ORDER BY r."id" DESC LIMIT ?`, [...params, limit]);
  const now = Date.now();
  return rows.map((r) => toView(r, now));
}

const clampLimit = (limit: number | undefined, fallback: number, max: number) => Math.min(Math.max(Math.floor(limit ?? fallback) || fallback, 1), max);

export async function getEpochs(db: Db, runId: number, attempt: number): Promise<EpochView[]> {
  return db.all<EpochView>(
    `SELECT "member", "epoch", "trainLoss", "valLoss", "ms" FROM "Epoch"
      WHERE "runId" = ? AND "attempt" = ? ORDER BY "member", "epoch"`,
    [runId, attempt],
  );
}

/** One run with its progress and job state; with the current attempt's epochs unless `epochs: false`. */
export async function getRun(db: Db, runId: number, options: { epochs?: boolean } = {}): Promise<RunView | null> {
  const [view] = await listed(db, `WHERE r."id" = ?`, [runId], 1);
  if (!view) return null;
  if (options.epochs !== false) view.epochs = await getEpochs(db, view.id, view.attempt);
  return view;
}

/** A series' runs, newest first, without epochs (the list). */
export async function listRuns(db: Db, seriesId: number, options: { status?: string; limit?: number } = {}): Promise<RunView[]> {
  const limit = clampLimit(options.limit, 100, 1000);
  return options.status
    ? listed(db, `WHERE r."seriesId" = ? AND r."status" = ?`, [seriesId, options.status], limit)
    : listed(db, `WHERE r."seriesId" = ?`, [seriesId], limit);
}

/** Recent runs of every series, newest first, optionally of some statuses (GET /api/runs). */
export async function listRecentRuns(db: Db, options: { statuses?: readonly RunStatus[]; limit?: number } = {}): Promise<RunView[]> {
  const limit = clampLimit(options.limit, 50, 500);
  const statuses = options.statuses ?? [];
  return statuses.length > 0 ? listed(db, `WHERE r."status" IN (${statuses.map(() => "?").join(", ")})`, statuses, limit) : listed(db, "", [], limit);
}
