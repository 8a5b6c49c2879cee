import type { Db } from "../db/types";
import { enqueueDeliveries } from "./fanout";
import { severityOf, type EventKind } from "./kinds";
import { EVENT_COLUMNS, type EventRow } from "./types";

export interface NewEvent {
  kind: EventKind;
  seriesId: number | null;
  /** What makes two firings the same one: an event is stored once per key (e.g. "drift:3:1719792000000"). */
  key: string;
  message: string;
  data: Record<string, unknown>;
}

/**
 * Stores an event once: a second firing with the same key changes nothing and returns null. A new
 * event is queued for delivery to the subscribed webhooks in the same transaction. Call with the
 * transaction of the change that caused it.
 */
export async function recordEvent(db: Db, e: NewEvent, now: Date = new Date()): Promise<EventRow | null> {
  return db.transaction(async (tx) => {
    const row = await tx.get<EventRow>(
      `INSERT INTO "Event" ("kind", "seriesId", "key", "severity", "message", "data", "at")
       VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT ("key") DO NOTHING RETURNING ${EVENT_COLUMNS}`,
      [e.kind, e.seriesId, e.key, severityOf(e.kind), e.message, JSON.stringify(e.data), now],
    );
    if (!row) return null;
    await enqueueDeliveries(tx, row, now);
    return row;
  });
}
