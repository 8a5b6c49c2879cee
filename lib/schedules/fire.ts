import type { Db } from "../db/types";
import type { ModelConfigInput } from "../forecast/config";
import { requestRun } from "../runs/request";
import type { QueueFull } from "../runs/limits";
import { alertScheduleMissed } from "../alerts/fire";
import { isolated } from "../alerts/isolated";
import { nextRunAfter } from "./cron";
import { SCHEDULE_COLUMNS, type ScheduleRow } from "./types";

export interface ScheduledRun {
  scheduleId: number;
  runId: number;
  created: boolean; // false when an identical run for the series was already queued or running
}

/** A run this schedule started that is still queued or running, or null. */
async function inFlight(tx: Db, scheduleId: number): Promise<number | null> {
  const row = await tx.get<{ id: number }>(`SELECT "id" FROM "Run" WHERE "scheduleId" = ? AND "status" IN ('queued', 'running') ORDER BY "id" LIMIT 1`, [scheduleId]);
  return row?.id ?? null;
}

/** What to do when a schedule's run cannot be queued: its previous run is in flight, or the queue is at its limits. */
interface SkipHandlers {
  onBusy?: (runId: number) => Promise<unknown>;
  onFull?: (reason: string) => Promise<unknown>;
}

/** Why a run was refused for the queue's limits, as the end of a schedule.missed sentence. */
function queueFullReason(full: QueueFull): string {
  const limit = full.scope === "series" ? "the limit per series, TIDECAST_MAX_QUEUED_PER_SERIES" : "the limit for the server, TIDECAST_MAX_QUEUED_RUNS";
  return `the run queue was full (${full.queued} runs queued or running, ${limit})`;
}

/**
 * Queues the schedule's run unless one of its runs is in flight (then `onBusy` hears of it) or
 * the queue is at its limits (the tick is skipped, as one missed during downtime is; `onFull`
 * hears of it); records lastRunAt/lastRunId. Call with the schedule row locked.
 */
async function fire(tx: Db, s: ScheduleRow, now: Date, skip: SkipHandlers = {}): Promise<ScheduledRun | null> {
  const busy = await inFlight(tx, s.id);
  if (busy !== null) {
    await skip.onBusy?.(busy);
    return null;
  }
  const result = await requestRun(tx, s.seriesId, JSON.parse(s.config) as ModelConfigInput, { scheduleId: s.id, promote: s.promote, now });
  if (result.kind === "no-series") return null;
  if (result.kind === "queue-full") {
    await skip.onFull?.(queueFullReason(result));
    return null;
  }
  await tx.run(`UPDATE "Schedule" SET "lastRunAt" = ?, "lastRunId" = ?, "updatedAt" = ? WHERE "id" = ?`, [now, result.run.id, now, s.id]);
  return { scheduleId: s.id, runId: result.run.id, created: result.kind === "created" };
}

/**
 * Runs every due cron schedule once. Every worker runs this; a tick fires exactly once however
 * many do:
 * - each schedule is handled in its own transaction that locks its row (SQLite: the write lock;
 *   PostgreSQL: FOR UPDATE, SKIP LOCKED so schedulers work on different schedules instead of
 *   queueing) and re-checks that it is still due;
 * - nextRunAt then moves with a compare-and-set on the value read, so a scheduler that read the
 *   row before another moved it changes nothing;
 * - the next time is computed from NOW, not from the missed tick, so after downtime a schedule
 *   fires once, not once per missed tick;
 * - a schedule whose previous run is still queued or running skips the tick (never two in flight).
 * The state lives in the Schedule row, so a restarted worker carries on where it left off.
 *
 * A tick that could not run on time is a missed schedule (a "schedule.missed" alert, once per
 * tick): one found more than `lateAfterMs` after it was due (no scheduler was running; it runs
 * now, once), or one skipped because the schedule's previous run was still in flight.
 */
export async function runDueSchedules(db: Db, now: Date = new Date(), options: { lateAfterMs?: number } = {}): Promise<ScheduledRun[]> {
  const lateAfterMs = options.lateAfterMs ?? 60_000;
  const due = await db.all<{ id: number }>(
    `SELECT "id" FROM "Schedule"
      WHERE "enabled" = TRUE AND "cron" IS NOT NULL AND "nextRunAt" IS NOT NULL AND "nextRunAt" <= ?
      ORDER BY "nextRunAt" LIMIT 100`,
    [now],
  );
  const fired: ScheduledRun[] = [];
  for (const { id } of due) {
    const result = await db.transaction(async (tx): Promise<ScheduledRun | null> => {
      const s = await tx.get<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM "Schedule" WHERE "id" = ?${tx.dialect.skipLocked}`, [id]);
      if (!s || !s.enabled || s.cron === null || s.nextRunAt === null || s.nextRunAt.getTime() > now.getTime()) return null;
      const next = nextRunAfter(s.cron, s.timezone, now);
      const moved = await tx.run(`UPDATE "Schedule" SET "nextRunAt" = ?, "updatedAt" = ? WHERE "id" = ? AND "nextRunAt" = ?`, [next, now, s.id, s.nextRunAt]);
      if (moved.changes === 0) return null; // another scheduler fired this tick
      const dueAt = s.nextRunAt;
      const missed = (reason: string) =>
        isolated(tx, `schedule ${s.id}'s schedule.missed alert`, (inner) => alertScheduleMissed(inner, { id: s.id, seriesId: s.seriesId, cron: s.cron, dueAt, reason }, now));
      const fired = await fire(tx, s, now, {
        onBusy: (runId) => missed(`its previous run #${runId} was still queued or running, so the tick was skipped`),
        onFull: (reason) => missed(`${reason}, so the tick was skipped`),
      });
      const lateBy = now.getTime() - dueAt.getTime();
      if (fired && lateBy > lateAfterMs) await missed(`no scheduler was running at the time; it ran ${Math.max(1, Math.round(lateBy / 60_000))} min late, once`);
      return fired;
    });
    if (result) fired.push(result);
  }
  return fired;
}

/**
 * "Retrain on new data": queues a run for every enabled onNewData schedule of these series (one
 * per schedule, skipped while that schedule's previous run is in flight, or with a schedule.missed
 * alert while the run queue is full). The import calls this in its transaction (lib/imports).
 */
export async function enqueueRetrainForNewData(db: Db, seriesIds: number[], now: Date = new Date()): Promise<ScheduledRun[]> {
  if (seriesIds.length === 0) return [];
  const placeholders = seriesIds.map(() => "?").join(", ");
  return db.transaction(async (tx): Promise<ScheduledRun[]> => {
    const schedules = await tx.all<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM "Schedule"
        WHERE "enabled" = TRUE AND "onNewData" = TRUE AND "seriesId" IN (${placeholders}) ORDER BY "id"${tx.dialect.forUpdate}`,
      seriesIds,
    );
    const fired: ScheduledRun[] = [];
    for (const s of schedules) {
      // A retrain on new data skipped for the queue's limits is a missed schedule too: the new
      // points are not trained on until the next upload or tick.
      const onFull = (reason: string) =>
        isolated(tx, `schedule ${s.id}'s schedule.missed alert`, (inner) =>
          alertScheduleMissed(inner, { id: s.id, seriesId: s.seriesId, cron: s.cron, dueAt: now, reason: `${reason}, so the retrain on new data was skipped` }, now),
        );
      const r = await fire(tx, s, now, { onFull });
      if (r) fired.push(r);
    }
    return fired;
  });
}
