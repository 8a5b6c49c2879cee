import { z } from "zod";
import { sqlite } from "./client";
import { toDbDate } from "./dates";
import { modelConfigSchema, type ModelConfigInput } from "../forecast/config";
import { checkCron, checkCronInterval, minCronMinutes, nextRunAfter, nextRuns } from "../jobs/cron";
import type { ScheduleRow } from "../jobs/scheduler";
import type Database from "better-sqlite3";

/**
 * Schedules: the rows, their API shape and the writes the routes make. A schedule retrains a
 * series on a cron expression in a time zone, when new data arrives (onNewData), or both.
 */
type Db = Database.Database;

export interface ScheduleView {
  id: number;
  seriesId: number;
  cron: string | null;
  timezone: string;
  onNewData: boolean;
  config: ModelConfigInput;
  enabled: boolean;
  nextRunAt: string | null;
  lastRunAt: string | null;
  lastRunId: number | null;
  lastRunStatus: string | null;
  /** The next five cron times (ISO, UTC) for a preview; empty without cron or when disabled. */
  nextRuns: string[];
  createdAt: string;
  updatedAt: string;
}

const cronField = z.string().trim().min(1, "The cron expression is empty").max(200, "The cron expression is too long");
const timezoneField = z.string().trim().min(1, "The time zone is empty").max(100, "The time zone is too long");

/** Body of POST /api/series/{id}/schedules (and of POST /api/schedules, which adds seriesId). */
export const scheduleCreateSchema = z.strictObject({
  cron: cronField.nullable().optional(),
  timezone: timezoneField.optional(),
  onNewData: z.boolean().optional(),
  config: modelConfigSchema.optional(),
  enabled: z.boolean().optional(),
});
export const scheduleCreateWithSeriesSchema = scheduleCreateSchema.extend({ seriesId: z.int().min(1, "seriesId must be a positive id") });
/** Body of PATCH /api/schedules/{id}: every field optional. */
export const schedulePatchSchema = scheduleCreateSchema;

export type ScheduleCreate = z.infer<typeof scheduleCreateSchema>;
export type SchedulePatch = z.infer<typeof schedulePatchSchema>;

export class ScheduleInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "ScheduleInputError";
  }
}

function toView(row: ScheduleRow, db: Db): ScheduleView {
  const lastRun = row.lastRunId === null ? undefined : (db.prepare(`SELECT "status" FROM "Run" WHERE "id" = ?`).get(row.lastRunId) as { status: string } | undefined);
  const preview = row.cron && row.enabled ? nextRuns(row.cron, row.timezone, 5).map((d) => d.toISOString()) : [];
  return {
    id: row.id,
    seriesId: row.seriesId,
    cron: row.cron,
    timezone: row.timezone,
    onNewData: row.onNewData === 1,
    config: JSON.parse(row.config) as ModelConfigInput,
    enabled: row.enabled === 1,
    nextRunAt: row.nextRunAt,
    lastRunAt: row.lastRunAt,
    lastRunId: row.lastRunId,
    lastRunStatus: lastRun?.status ?? null,
    nextRuns: preview,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function rowOf(id: number, db: Db): ScheduleRow | null {
  return (db.prepare(`SELECT * FROM "Schedule" WHERE "id" = ?`).get(id) as ScheduleRow | undefined) ?? null;
}

export function getSchedule(id: number, db: Db = sqlite()): ScheduleView | null {
  const row = rowOf(id, db);
  return row ? toView(row, db) : null;
}

export function listSchedules(filter: { seriesId?: number } = {}, db: Db = sqlite()): ScheduleView[] {
  const rows = (
    filter.seriesId === undefined
      ? db.prepare(`SELECT * FROM "Schedule" ORDER BY "id"`).all()
      : db.prepare(`SELECT * FROM "Schedule" WHERE "seriesId" = ? ORDER BY "id"`).all(filter.seriesId)
  ) as ScheduleRow[];
  return rows.map((r) => toView(r, db));
}

/**
 * Validates the cron/time zone pair and that the schedule triggers somehow; with `interval`, also
 * the API's minute precision and minimum interval (checked when a cron is set or a schedule is
 * enabled, so that an older, more frequent schedule can still be disabled or edited otherwise).
 */
function checkTrigger(cron: string | null, timezone: string, onNewData: boolean, interval = true): void {
  if (cron === null && !onNewData) {
    throw new ScheduleInputError("cron", "A schedule needs a cron expression, onNewData: true, or both.");
  }
  // Without a cron expression only the time zone is checked (against a cron that always matches).
  const check = checkCron(cron ?? "* * * * *", timezone);
  if (!check.ok) throw new ScheduleInputError(check.field, check.message);
  if (cron === null || !interval) return;
  const spacing = checkCronInterval(cron, timezone, minCronMinutes());
  if (!spacing.ok) throw new ScheduleInputError(spacing.field, spacing.message);
}

function nextFor(cron: string | null, timezone: string, enabled: boolean, now: Date): string | null {
  if (!cron || !enabled) return null;
  const next = nextRunAfter(cron, timezone, now);
  return next ? toDbDate(next) : null;
}

/** Creates a schedule; null when the series does not exist. Throws ScheduleInputError for a bad cron/time zone. */
export function createSchedule(seriesId: number, input: ScheduleCreate, db: Db = sqlite(), now: Date = new Date()): ScheduleView | null {
  const cron = input.cron ?? null;
  const timezone = input.timezone ?? "UTC";
  const onNewData = input.onNewData ?? false;
  const enabled = input.enabled ?? true;
  checkTrigger(cron, timezone, onNewData);
  if (db.prepare(`SELECT 1 FROM "Series" WHERE "id" = ?`).get(seriesId) === undefined) return null;
  const at = toDbDate(now);
  const { id } = db
    .prepare(
      `INSERT INTO "Schedule" ("seriesId", "cron", "timezone", "onNewData", "config", "enabled", "nextRunAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    )
    .get(seriesId, cron, timezone, onNewData ? 1 : 0, JSON.stringify(input.config ?? {}), enabled ? 1 : 0, nextFor(cron, timezone, enabled, now), at, at) as {
    id: number;
  };
  return getSchedule(id, db);
}

/**
 * Applies a partial update. nextRunAt is recomputed from now when the cron, the time zone or
 * `enabled` changes; otherwise it stays (a pending tick is not lost by editing the config).
 */
export function updateSchedule(id: number, patch: SchedulePatch, db: Db = sqlite(), now: Date = new Date()): ScheduleView | null {
  return db
    .transaction((): ScheduleView | null => {
      const row = rowOf(id, db);
      if (!row) return null;
      const cron = patch.cron === undefined ? row.cron : patch.cron;
      const timezone = patch.timezone ?? row.timezone;
      const onNewData = patch.onNewData ?? row.onNewData === 1;
      const enabled = patch.enabled ?? row.enabled === 1;
      checkTrigger(cron, timezone, onNewData, cron !== row.cron || timezone !== row.timezone || (enabled && row.enabled !== 1));
      const timingChanged = cron !== row.cron || timezone !== row.timezone || enabled !== (row.enabled === 1);
      const nextRunAt = timingChanged ? nextFor(cron, timezone, enabled, now) : row.nextRunAt;
      db.prepare(
        `UPDATE "Schedule" SET "cron" = ?, "timezone" = ?, "onNewData" = ?, "config" = ?, "enabled" = ?, "nextRunAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
      ).run(cron, timezone, onNewData ? 1 : 0, patch.config === undefined ? row.config : JSON.stringify(patch.config), enabled ? 1 : 0, nextRunAt, toDbDate(now), id);
      return getSchedule(id, db);
    })
    .immediate();
}

/** Deletes a schedule (its runs stay). Returns false when it did not exist. */
export function deleteSchedule(id: number, db: Db = sqlite()): boolean {
  return db.prepare(`DELETE FROM "Schedule" WHERE "id" = ?`).run(id).changes > 0;
}
