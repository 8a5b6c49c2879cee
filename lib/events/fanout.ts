import type { Db } from "../db/types";
import { enqueueJob } from "../queue/enqueue";
import { WEBHOOK_JOB, type EventKind } from "./kinds";

/** TIDECAST_WEBHOOK_MAX_ATTEMPTS (default 8): a delivery's attempts before it fails for good. */
export function deliveryAttempts(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.TIDECAST_WEBHOOK_MAX_ATTEMPTS ?? "8");
  return Number.isInteger(n) && n >= 1 ? n : 8;
}

/**
 * Queues one delivery per webhook subscribed to the event's kind: a WebhookDelivery row (unique
 * per webhook and event, so an event is never queued twice for one webhook) and its own job, so a
 * failing endpoint only ever delays its own deliveries. Runs in the transaction that stored the
 * event: no event without its deliveries, no delivery of an event that was rolled back.
 */
export async function enqueueDeliveries(tx: Db, event: { id: number; kind: EventKind }, now: Date = new Date()): Promise<number> {
  const hooks = await tx.all<{ id: number; events: string | null }>(`SELECT "id", "events" FROM "Webhook" ORDER BY "id"`);
  let queued = 0;
  for (const hook of hooks) {
    const kinds = hook.events === null ? null : (JSON.parse(hook.events) as string[]);
    if (kinds !== null && !kinds.includes(event.kind)) continue;
    const row = await tx.get<{ id: number }>(
      `INSERT INTO "WebhookDelivery" ("webhookId", "eventId", "status", "attempts", "createdAt", "updatedAt")
       VALUES (?, ?, 'pending', 0, ?, ?) ON CONFLICT ("webhookId", "eventId") DO NOTHING RETURNING "id"`,
      [hook.id, event.id, now, now],
    );
    if (!row) continue;
    await enqueueJob(tx, WEBHOOK_JOB, { deliveryId: row.id }, { maxAttempts: deliveryAttempts(), now });
    queued++;
  }
  return queued;
}
