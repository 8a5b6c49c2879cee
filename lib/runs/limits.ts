import type { Db } from "../db/types";

/**
 * How many runs may wait or train at once: per series (TIDECAST_MAX_QUEUED_PER_SERIES, default 10)
 * and in all (TIDECAST_MAX_QUEUED_RUNS, default 100). A run counts from the moment it is queued
 * until it ends; one that is being cancelled no longer counts. requestRun refuses a new run past
 * either limit (the API answers 429 QUEUE_FULL), so a script or a stuck schedule cannot pile up
 * more work than the workers will ever get through.
 */
export interface RunQueueLimits {
  perSeries: number;
  total: number;
}

export const DEFAULT_RUN_QUEUE_LIMITS: RunQueueLimits = { perSeries: 10, total: 100 };

function positiveInt(raw: string | undefined, fallback: number): number {
  const v = Number(raw);
  return raw !== undefined && raw.trim() !== "" && Number.isInteger(v) && v >= 1 ? v : fallback;
}

export function runQueueLimits(env: Record<string, string | undefined> = process.env): RunQueueLimits {
  return {
    perSeries: positiveInt(env.TIDECAST_MAX_QUEUED_PER_SERIES, DEFAULT_RUN_QUEUE_LIMITS.perSeries),
    total: positiveInt(env.TIDECAST_MAX_QUEUED_RUNS, DEFAULT_RUN_QUEUE_LIMITS.total),
  };
}

export interface QueueFull {
  scope: "series" | "all";
  limit: number;
  queued: number;
}

const UNFINISHED = `"status" IN ('queued', 'running') AND "cancelRequested" = FALSE`;

/**
 * Whether one more run of `seriesId` would pass a limit. Call inside the transaction that queues
 * the run, with the series row locked: the per-series count is then exact on both databases. The
 * overall count is exact on SQLite (one writer at a time); on PostgreSQL the transaction first
 * takes the queue's named lock, so that requests for different series at the same instant count
 * one after another, each seeing the runs the others queued (READ COMMITTED: every statement
 * reads what was committed before it started).
 */
export async function queueFull(tx: Db, seriesId: number, limits: RunQueueLimits): Promise<QueueFull | null> {
  const mine = (await tx.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Run" WHERE "seriesId" = ? AND ${UNFINISHED}`, [seriesId]))!.n;
  if (mine >= limits.perSeries) return { scope: "series", limit: limits.perSeries, queued: mine };
  if (tx.dialect.transactionLock !== null) await tx.run(tx.dialect.transactionLock, ["tidecast.run-queue"]);
  const all = (await tx.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Run" WHERE ${UNFINISHED}`))!.n;
  if (all >= limits.total) return { scope: "all", limit: limits.total, queued: all };
  return null;
}

/** The sentence for a refused run. */
export function queueFullMessage(full: QueueFull, seriesId: number): string {
  return full.scope === "series"
    ? `Series ${seriesId} already has ${full.queued} runs queued or running, the limit (TIDECAST_MAX_QUEUED_PER_SERIES): wait for one to finish, or cancel one.`
    : `${full.queued} runs are queued or running, the limit for the whole server (TIDECAST_MAX_QUEUED_RUNS): wait for some to finish, or cancel some.`;
}
