import type Database from "better-sqlite3";
import { sqlite } from "./client";
import { RUN_COLUMNS, getRunRow, type RunRow, type RunStatus } from "../jobs/runs";
import type { ModelConfig } from "../forecast/config";

/**
 * Reads of training runs for the API and the dashboard: one function per query, row types here.
 * A run's loss curve is the epochs of its CURRENT attempt only: a worker that died mid-training
 * left epochs under an older attempt number, and they never mix into the curve.
 */
type Db = Database.Database;

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
  runAt: string; // when the next attempt may start (for a queued retry)
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

export function getEpochs(runId: number, attempt: number, db: Db = sqlite()): EpochView[] {
  return db
    .prepare(
      `SELECT "member", "epoch", "trainLoss", "valLoss", "ms" FROM "Epoch"
        WHERE "runId" = ? AND "attempt" = ? ORDER BY "member", "epoch"`,
    )
    .all(runId, attempt) as EpochView[];
}

function progressOf(run: RunRow, config: ModelConfig, db: Db, now: number): RunProgress {
  const stats = db
    .prepare(`SELECT COUNT(*) AS n, SUM("ms") AS ms FROM "Epoch" WHERE "runId" = ? AND "attempt" = ?`)
    .get(run.id, run.attempt) as { n: number; ms: number | null };
  const last = db
    .prepare(`SELECT "member", "epoch" FROM "Epoch" WHERE "runId" = ? AND "attempt" = ? ORDER BY "member" DESC, "epoch" DESC LIMIT 1`)
    .get(run.id, run.attempt) as { member: number; epoch: number } | undefined;
  const epochs = config.epochs;
  const total = Math.max(run.epochsTotal, run.epochsDone, 1);
  const done = run.status === "succeeded" ? total : run.epochsDone;
  const mean = stats.n > 0 && stats.ms !== null ? stats.ms / stats.n : null;
  const startedAt = run.startedAt ? Date.parse(run.startedAt) : NaN;
  return {
    epochsDone: run.epochsDone,
    epochsTotal: total,
    member: last?.member ?? null,
    members: epochs > 0 ? Math.max(1, Math.round(total / epochs)) : null,
    epoch: last?.epoch ?? null,
    epochs,
    percent: Math.min(100, Math.round((done / total) * 1000) / 10),
    elapsedMs: Number.isFinite(startedAt) ? (run.finishedAt ? Date.parse(run.finishedAt) : now) - startedAt : null,
    etaMs: run.status === "running" && mean !== null ? Math.round(mean * Math.max(0, total - run.epochsDone)) : run.status === "succeeded" ? 0 : null,
  };
}

function toView(run: RunRow, db: Db, withEpochs: boolean): RunView {
  const config = JSON.parse(run.config) as ModelConfig;
  const job = run.jobId === null
    ? null
    : ((db
        .prepare(`SELECT "id", "status", "attempts", "maxAttempts", "lastError", "runAt", "lockedBy" FROM "Job" WHERE "id" = ?`)
        .get(run.jobId) as RunJobView | undefined) ?? null);
  const forecast = db.prepare(`SELECT "id" FROM "Forecast" WHERE "runId" = ? ORDER BY "id" DESC LIMIT 1`).get(run.id) as { id: number } | undefined;
  const series = db.prepare(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?`).get(run.seriesId) as { currentForecastId: number | null } | undefined;
  const view: RunView = {
    id: run.id,
    seriesId: run.seriesId,
    status: run.status,
    config,
    attempt: run.attempt,
    progress: progressOf(run, config, db, Date.now()),
    bestEpoch: run.bestEpoch,
    metrics: run.metrics ? (JSON.parse(run.metrics) as Record<string, unknown>) : null,
    error: run.error,
    scheduleId: run.scheduleId,
    cancelRequested: run.cancelRequested === 1,
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    forecastId: forecast?.id ?? null,
    isCurrent: forecast !== undefined && series?.currentForecastId === forecast.id,
    job,
  };
  if (withEpochs) view.epochs = getEpochs(run.id, run.attempt, db);
  return view;
}

/** One run with its progress, job state and the current attempt's epochs. */
export function getRun(runId: number, db: Db = sqlite()): RunView | null {
  const run = getRunRow(runId, db);
  return run ? toView(run, db, true) : null;
}

/** A view of a row already read (the POST answers). */
export function runView(run: RunRow, db: Db = sqlite()): RunView {
  return toView(run, db, false);
}

/** A series' runs, newest first, without epochs (the list). */
export function listRuns(seriesId: number, options: { status?: string; limit?: number } = {}, db: Db = sqlite()): RunView[] {
  const limit = Math.min(Math.max(options.limit ?? 100, 1), 1000);
  const rows = (
    options.status
      ? db.prepare(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "seriesId" = ? AND "status" = ? ORDER BY "id" DESC LIMIT ?`).all(seriesId, options.status, limit)
      : db.prepare(`SELECT ${RUN_COLUMNS} FROM "Run" WHERE "seriesId" = ? ORDER BY "id" DESC LIMIT ?`).all(seriesId, limit)
  ) as RunRow[];
  return rows.map((r) => toView(r, db, false));
}

export function seriesExists(seriesId: number, db: Db = sqlite()): boolean {
  return db.prepare(`SELECT 1 FROM "Series" WHERE "id" = ?`).get(seriesId) !== undefined;
}

export interface ForecastView {
  id: number;
  seriesId: number;
  runId: number | null;
  model: string;
  horizon: number;
  levels: number[];
  createdAt: string;
  isCurrent: boolean;
  points: { step: number; ts: number; value: number; lo80: number | null; hi80: number | null; lo95: number | null; hi95: number | null }[];
}

/** The forecast a run made (null while it has none). */
export function getRunForecast(runId: number, db: Db = sqlite()): ForecastView | null {
  const f = db
    .prepare(`SELECT "id", "seriesId", "runId", "model", "horizon", "levels", "createdAt" FROM "Forecast" WHERE "runId" = ? ORDER BY "id" DESC LIMIT 1`)
    .get(runId) as { id: number; seriesId: number; runId: number | null; model: string; horizon: number; levels: string; createdAt: string } | undefined;
  if (!f) return null;
  const points = db
    .prepare(`SELECT "step", "ts", "value", "lo80", "hi80", "lo95", "hi95" FROM "ForecastPoint" WHERE "forecastId" = ? ORDER BY "step"`)
    .all(f.id) as ForecastView["points"];
  const series = db.prepare(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?`).get(f.seriesId) as { currentForecastId: number | null } | undefined;
  return { ...f, levels: JSON.parse(f.levels) as number[], isCurrent: series?.currentForecastId === f.id, points };
}

export type MakeCurrentResult = { kind: "ok"; forecastId: number; seriesId: number } | { kind: "no-run" } | { kind: "no-forecast"; status: string };

/** Points the series at this run's forecast (an older run's forecast can be made current again). */
export function makeRunCurrent(runId: number, db: Db = sqlite()): MakeCurrentResult {
  const run = getRunRow(runId, db);
  if (!run) return { kind: "no-run" };
  const f = db.prepare(`SELECT "id" FROM "Forecast" WHERE "runId" = ? ORDER BY "id" DESC LIMIT 1`).get(runId) as { id: number } | undefined;
  if (!f) return { kind: "no-forecast", status: run.status };
  db.prepare(`UPDATE "Series" SET "currentForecastId" = ?, "updatedAt" = ? WHERE "id" = ?`).run(
    f.id,
    new Date().toISOString().replace("Z", "+00:00"),
    run.seriesId,
  );
  return { kind: "ok", forecastId: f.id, seriesId: run.seriesId };
}
