import type { Db, SqlValue } from "../db/types";
import type { EventKind, Severity } from "./kinds";
import { EVENT_COLUMNS, type EventRow, type EventView } from "./types";

/** Events as the API, the series page and the overview show them (newest first). */
export interface EventFilter {
  seriesId?: number;
  kinds?: readonly EventKind[];
  severity?: Severity;
  /** Only events not acknowledged yet. */
  unacknowledged?: boolean;
  /** Events with an id below this (the next page). */
  before?: number;
  limit?: number;
}

type ListedEvent = EventRow & { seriesName: string | null };

const LISTED = `SELECT ${EVENT_COLUMNS.replace(/"(\w+)"/g, 'e."$1"')}, s."name" AS "seriesName" FROM "Event" e LEFT JOIN "Series" s ON s."id" = e."seriesId"`;

export function toEventView(row: ListedEvent): EventView {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    seriesId: row.seriesId,
    seriesName: row.seriesName,
    message: row.message,
    data: JSON.parse(row.data) as Record<string, unknown>,
    at: row.at.toISOString(),
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
  };
}

export async function listEvents(db: Db, filter: EventFilter = {}): Promise<EventView[]> {
  const where: string[] = [];
  const params: SqlValue[] = [];
  if (filter.seriesId !== undefined) {
    where.push(`e."seriesId" = ?`);
    params.push(filter.seriesId);
  }
  if (filter.kinds && filter.kinds.length > 0) {
    where.push(`e."kind" IN (${filter.kinds.map(() => "?").join(", ")})`);
    params.push(...filter.kinds);
  }
  if (filter.severity) {
    where.push(`e."severity" = ?`);
    params.push(filter.severity);
  }
  if (filter.unacknowledged) where.push(`e."acknowledgedAt" IS NULL`);
  if (filter.before !== undefined) {
    where.push(`e."id" < ?`);
    params.push(filter.before);
  }
  const limit = Math.min(Math.max(Math.floor(filter.limit ?? 50) || 50, 1), 500);
  const rows = await db.all<ListedEvent>(`${LISTED}${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY e."id" DESC LIMIT ?`, [...params, limit]);
  return rows.map(toEventView);
}

export async function getEvent(db: Db, id: number): Promise<EventView | null> {
  const row = await db.get<ListedEvent>(`${LISTED} WHERE e."id" = ?`, [id]);
  return row ? toEventView(row) : null;
}

/** Acknowledges an event (idempotent: the first acknowledgement's time is kept). Null when it does not exist. */
export async function acknowledgeEvent(db: Db, id: number, now: Date = new Date()): Promise<EventView | null> {
  await db.run(`UPDATE "Event" SET "acknowledgedAt" = ? WHERE "id" = ? AND "acknowledgedAt" IS NULL`, [now, id]);
  return getEvent(db, id);
}

/** Unacknowledged alerts per series, for many series in one query. */
export async function openAlertCounts(db: Db, seriesIds: readonly number[]): Promise<Map<number, number>> {
  if (seriesIds.length === 0) return new Map();
  const rows = await db.all<{ seriesId: number; n: number }>(
    `SELECT "seriesId", COUNT(*) AS "n" FROM "Event"
      WHERE "severity" = 'alert' AND "acknowledgedAt" IS NULL AND "seriesId" IN (${seriesIds.map(() => "?").join(", ")})
      GROUP BY "seriesId"`,
    seriesIds,
  );
  return new Map(rows.map((r) => [r.seriesId, r.n]));
}
