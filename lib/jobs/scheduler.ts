import { sqlite } from "../db/client";
import type { ModelConfigInput } from "../forecast/config";
import { nextRunAfter } from "./cron";
import { requestRun } from "./runs";
import { dbNow, type Db } from "./types";

export interface ScheduleRow {
  id: number;
  seriesId: number;
  cron: string | null;
  timezone: string;
  onNewData: number;
  config: string;
  enabled: number;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRunId: number | null;
  createdAt: string;
  updatedAt: string;
}

export interface ScheduledRun {
  scheduleId: number;
  runId: number;
  created: boolean; // false when an identical run for the series was already queued or running
}

/** Whether a run this schedule started is still queued or running. */
function inFlight(scheduleId: number, db: Db): boolean {
  return (
    db.prepare(`SELECT 1 FROM "Run" WHERE "scheduleId" = ? AND "status" IN ('queued', 'running') LIMIT 1`).get(scheduleId) !== undefined
  );
}

/** Queues the schedule's run unless one of its runs is in flight; records lastRunAt/lastRunId. */
function fire(s: ScheduleRow, now: Date, db: Db): ScheduledRun | null {
  if (inFlight(s.id, db)) return null;
  const result = requestRun(s.seriesId, JSON.parse(s.config) as ModelConfigInput, { scheduleId: s.id }, db);
  if (result.kind === "no-series") return null;
  db.prepare(`UPDATE "Schedule" SET "lastRunAt" = ?, "lastRunId" = ?, "updatedAt" = ? WHERE "id" = ?`).run(
    dbNow(now),
    result.run.id,
    dbNow(now),
    s.id,
  );
  return { scheduleId: s.id, runId: result.run.id, created: result.kind === "created" };
}

/**
 * Runs every due cron schedule once. Called by each worker's loop; safe with several workers:
 * - nextRunAt moves with a compare-and-set (`WHERE id = ? AND nextRunAt = <the value we read>`)
 *   inside an IMMEDIATE transaction, so exactly one worker fires a given tick;
 * - the next time is computed from NOW, not from the missed tick, so after downtime a schedule
 *   fires once, not once per missed tick;
 * - a schedule whose previous run is still queued or running skips the tick (never two in flight).
 * The state lives in the Schedule row, so a restarted worker carries on where it left off.
 */
export function runDueSchedules(db: Db = sqlite(), now: Date = new Date()): ScheduledRun[] {
  const due = db
    .prepare(
      `SELECT "id" FROM "Schedule"
        WHERE "enabled" = TRUE AND "cron" IS NOT NULL AND "nextRunAt" IS NOT NULL AND "nextRunAt" <= ?
        ORDER BY "nextRunAt" LIMIT 100`,
    )
    .all(dbNow(now)) as { id: number }[];
  const fired: ScheduledRun[] = [];
  for (const { id } of due) {
    const result = db
      .transaction((): ScheduledRun | null => {
        const s = db.prepare(`SELECT * FROM "Schedule" WHERE "id" = ?`).get(id) as ScheduleRow | undefined;
        if (!s || !s.enabled || s.cron === null || s.nextRunAt === null || s.nextRunAt > dbNow(now)) return null;
        const next = nextRunAfter(s.cron, s.timezone, now);
        const moved = db
          .prepare(`UPDATE "Schedule" SET "nextRunAt" = ?, "updatedAt" = ? WHERE "id" = ? AND "nextRunAt" = ? RETURNING "id"`)
          .get(next ? dbNow(next) : null, dbNow(now), s.id, s.nextRunAt);
        if (moved === undefined) return null; // another worker fired this tick
        return fire(s, now, db);
      })
      .immediate();
    if (result) fired.push(result);
  }
  return fired;
}

/**
 * "Retrain on new data": queues a run for every enabled onNewData schedule of these series (one
 * per schedule, skipped while that schedule's previous run is in flight). The upload route calls
 * this after it stored new points.
 */
export function enqueueRetrainForNewData(seriesIds: number[], db: Db = sqlite(), now: Date = new Date()): ScheduledRun[] {
  if (seriesIds.length === 0) return [];
  const placeholders = seriesIds.map(() => "?").join(", ");
  return db
    .transaction((): ScheduledRun[] => {
      const schedules = db
        .prepare(`SELECT * FROM "Schedule" WHERE "enabled" = TRUE AND "onNewData" = TRUE AND "seriesId" IN (${placeholders}) ORDER BY "id"`)
        .all(...seriesIds) as ScheduleRow[];
      const fired: ScheduledRun[] = [];
      for (const s of schedules) {
        const r = fire(s, now, db);
        if (r) fired.push(r);
      }
      return fired;
    })
    .immediate();
}
