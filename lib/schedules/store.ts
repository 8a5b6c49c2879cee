import { z } from "zod";
import type { Db } from "../db/types";
import { modelConfigSchema, type ModelConfigInput } from "../forecast/config";
import { checkCron, checkCronInterval, minCronMinutes, nextRunAfter, nextRuns } from "./cron";
import { SCHEDULE_COLUMNS, type ScheduleRow } from "./types";

/**
 * Schedules: the rows, their API shape and the writes the routes make. A schedule retrains a
 * series on a cron expression in a time zone, when new data arrives (onNewData), or both.
 */

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

/** A series already has as many schedules as TIDECAST_MAX_SCHEDULES_PER_SERIES allows. */
export class ScheduleLimitError extends Error {
  constructor(
    readonly limit: number,
    readonly schedules: number,
  ) {
    super(`This series already has ${schedules} schedules, the limit (TIDECAST_MAX_SCHEDULES_PER_SERIES): delete or edit one instead.`);
    this.name = "ScheduleLimitError";
  }
}

/** Schedules one series may have: TIDECAST_MAX_SCHEDULES_PER_SERIES (default 10). */
export function maxSchedulesPerSeries(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.TIDECAST_MAX_SCHEDULES_PER_SERIES ?? "10");
  return Number.isInteger(v) && v >= 1 ? v : 10;
}

type ListedSchedule = ScheduleRow & { lastRunStatus: string | null };

const LISTED = `SELECT ${SCHEDULE_COLUMNS.replace(/"(\w+)"/g, 's."$1"')}, r."status" AS "lastRunStatus"
  FROM "Schedule" s LEFT JOIN "Run" r ON r."id" = s."lastRunId"`;

function toView(row: ListedSchedule): ScheduleView {
  const preview = row.cron && row.enabled ? nextRuns(row.cron, row.timezone, 5).map((d) => d.toISOString()) : [];
  return {
    id: row.id,
    seriesId: row.seriesId,
    cron: row.cron,
    timezone: row.timezone,
    onNewData: row.onNewData,
    config: JSON.parse(row.config) as ModelConfigInput,
    enabled: row.enabled,
    nextRunAt: row.nextRunAt?.toISOString() ?? null,
    lastRunAt: row.lastRunAt?.toISOString() ?? null,
    lastRunId: row.lastRunId,
    lastRunStatus: row.lastRunStatus,
    nextRuns: preview,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export async function getSchedule(db: Db, id: number): Promise<ScheduleView | null> {
  const row = await db.get<ListedSchedule>(`${LISTED} WHERE s."id" = ?`, [id]);
  return row ? toView(row) : null;
}

export async function listSchedules(db: Db, filter: { seriesId?: number } = {}): Promise<ScheduleView[]> {
  const rows =
    filter.seriesId === undefined
      ? await db.all<ListedSchedule>(`${LISTED} ORDER BY s."id"`)
      : await db.all<ListedSchedule>(`${LISTED} WHERE s."seriesId" = ? ORDER BY s."id"`, [filter.seriesId]);
  return rows.map(toView);
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

function nextFor(cron: string | null, timezone: string, enabled: boolean, now: Date): Date | null {
  if (!cron || !enabled) return null;
  return nextRunAfter(cron, timezone, now);
}

/**
 * Creates a schedule; null when the series does not exist. Throws ScheduleInputError for a bad
 * cron/time zone, ScheduleLimitError when the series has its maximum of schedules.
 */
export async function createSchedule(db: Db, seriesId: number, input: ScheduleCreate, now: Date = new Date()): Promise<ScheduleView | null> {
  const cron = input.cron ?? null;
  const timezone = input.timezone ?? "UTC";
  const onNewData = input.onNewData ?? false;
  const enabled = input.enabled ?? true;
  checkTrigger(cron, timezone, onNewData);
  const limit = maxSchedulesPerSeries();
  const created = await db.transaction(async (tx) => {
    // The series row locked (PostgreSQL): two creations at once count each other's schedule.
    if ((await tx.get(`SELECT 1 AS "one" FROM "Series" WHERE "id" = ?${tx.dialect.forUpdate}`, [seriesId])) === undefined) return undefined;
    const existing = (await tx.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Schedule" WHERE "seriesId" = ?`, [seriesId]))!.n;
    if (existing >= limit) throw new ScheduleLimitError(limit, existing);
    return tx.get<{ id: number }>(
      `INSERT INTO "Schedule" ("seriesId", "cron", "timezone", "onNewData", "config", "enabled", "nextRunAt", "createdAt", "updatedAt")
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING "id"`,
      [seriesId, cron, timezone, onNewData, JSON.stringify(input.config ?? {}), enabled, nextFor(cron, timezone, enabled, now), now, now],
    );
  });
  return created ? getSchedule(db, created.id) : null;
}

/**
 * Applies a partial update. nextRunAt is recomputed from now when the cron, the time zone or
 * `enabled` changes; otherwise it stays (a pending tick is not lost by editing the config).
 */
export async function updateSchedule(db: Db, id: number, patch: SchedulePatch, now: Date = new Date()): Promise<ScheduleView | null> {
  const updated = await db.transaction(async (tx): Promise<boolean> => {
    const row = await tx.get<ScheduleRow>(`SELECT ${SCHEDULE_COLUMNS} FROM "Schedule" WHERE "id" = ?${tx.dialect.forUpdate}`, [id]);
    if (!row) return false;
    const cron = patch.cron === undefined ? row.cron : patch.cron;
    const timezone = patch.timezone ?? row.timezone;
    const onNewData = patch.onNewData ?? row.onNewData;
    const enabled = patch.enabled ?? row.enabled;
    checkTrigger(cron, timezone, onNewData, cron !== row.cron || timezone !== row.timezone || (enabled && !row.enabled));
    const timingChanged = cron !== row.cron || timezone !== row.timezone || enabled !== row.enabled;
    const nextRunAt = timingChanged ? nextFor(cron, timezone, enabled, now) : row.nextRunAt;
    await tx.run(
      `UPDATE "Schedule" SET "cron" = ?, "timezone" = ?, "onNewData" = ?, "config" = ?, "enabled" = ?, "nextRunAt" = ?, "updatedAt" = ? WHERE "id" = ?`,
      [cron, timezone, onNewData, patch.config === undefined ? row.config : JSON.stringify(patch.config), enabled, nextRunAt, now, id],
    );
    return true;
  });
  return updated ? getSchedule(db, id) : null;
}

/** Deletes a schedule (its runs stay). Returns false when it did not exist. */
export async function deleteSchedule(db: Db, id: number): Promise<boolean> {
  return (await db.run(`DELETE FROM "Schedule" WHERE "id" = ?`, [id])).changes > 0;
}
