import type { Db } from "../db/types";
import type { ModelConfigInput } from "../forecast/config";
import { requestRun } from "../runs/request";
import { nextRunAfter } from "./cron";
import { SCHEDULE_COLUMNS, type ScheduleRow } from "./types";

export interface ScheduledRun {
  scheduleId: number;
  runId: number;
  created: boolean; // false when an identical run for the series was already queued or running
}

/** Whether a run this schedule started is still queued or running. */
async function inFlight(tx: Db, scheduleId: number): Promise<boolean> {
  return (await tx.get(`SELECT 1 AS "one" FROM "Run" WHERE "scheduleId" = ? AND "status" IN ('queued', 'running') LIMIT 1`, [scheduleId])) !== undefined;
}

/**
 * Queues the schedule's run unless one of its runs is in flight (or the queue is at its limits:
 * the tick is skipped, as one missed during downtime is); records lastRunAt/lastRunId. Call with
 * the schedule row locked.
 */
async function fire(tx: Db, s: ScheduleRow, now: Date): Promise<ScheduledRun | null> {
  if (await inFlight(tx, s.id)) return null;
  const result = await requestRun(tx, s.seriesId, JSON.parse(s.config) as ModelConfigInput, { scheduleId: s.id, now });
  if (result.kind === "no-series" || result.kind === "queue-full") return null;
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
 */
export async function runDueSchedules(db: Db, now: Date = new Date()): Promise<ScheduledRun[]> {
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
      return fire(tx, s, now);
    });
    if (result) fired.push(result);
  }
  return fired;
}

/**
 * "Retrain on new data": queues a run for every enabled onNewData schedule of these series (one
 * per schedule, skipped while that schedule's previous run is in flight). The upload route calls
 * this after it stored new points.
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
      const r = await fire(tx, s, now);
      if (r) fired.push(r);
    }
    return fired;
  });
}
