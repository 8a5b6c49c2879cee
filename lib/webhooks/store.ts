import { z } from "zod";
import type { Db } from "../db/types";
import { EVENT_KINDS, type EventKind } from "../events/kinds";
import { parseWebhookUrl, resolveTarget } from "./target";

/**
 * Webhooks: an endpoint that receives every event of the kinds it subscribed to (all kinds by
 * default) as a signed JSON POST. The secret is write-only: it signs the deliveries and is never
 * returned by the API.
 */
export const webhookCreateSchema = z.strictObject({
  url: z.string().trim().min(1, "The URL is empty").max(2000, "The URL is too long"),
  events: z.array(z.enum(EVENT_KINDS)).min(1, "List at least one event kind, or leave events out for all of them").optional(),
  secret: z.string().min(8, "The secret must be at least 8 characters").max(500, "The secret must be at most 500 characters"),
});
export type WebhookCreate = z.infer<typeof webhookCreateSchema>;

export interface WebhookView {
  id: number;
  url: string;
  events: EventKind[];
  createdAt: string;
  deliveries: { pending: number; delivered: number; failed: number };
  lastError: string | null;
}

interface ListedWebhook {
  id: number;
  url: string;
  events: string | null;
  createdAt: Date;
  pending: number;
  delivered: number;
  failed: number;
  lastError: string | null;
}

const byStatus = (status: string) => `(SELECT COUNT(*) FROM "WebhookDelivery" d WHERE d."webhookId" = w."id" AND d."status" = '${status}') AS "${status}"`;
const LISTED = `SELECT w."id", w."url", w."events", w."createdAt", ${byStatus("pending")}, ${byStatus("delivered")}, ${byStatus("failed")},
    (SELECT d."lastError" FROM "WebhookDelivery" d WHERE d."webhookId" = w."id" AND d."lastError" IS NOT NULL ORDER BY d."updatedAt" DESC, d."id" DESC LIMIT 1) AS "lastError"
  FROM "Webhook" w`;

function toView(row: ListedWebhook): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events === null ? [...EVENT_KINDS] : (JSON.parse(row.events) as EventKind[]),
    createdAt: row.createdAt.toISOString(),
    deliveries: { pending: row.pending, delivered: row.delivered, failed: row.failed },
    lastError: row.lastError,
  };
}

export async function listWebhooks(db: Db): Promise<WebhookView[]> {
  return (await db.all<ListedWebhook>(`${LISTED} ORDER BY w."id"`)).map(toView);
}

export async function getWebhook(db: Db, id: number): Promise<WebhookView | null> {
  const row = await db.get<ListedWebhook>(`${LISTED} WHERE w."id" = ?`, [id]);
  return row ? toView(row) : null;
}

/**
 * Creates a webhook after checking its target (WebhookTargetError: not http(s), does not resolve,
 * or private/loopback without TIDECAST_WEBHOOK_ALLOW_PRIVATE=1). It receives the events stored from now on.
 */
export async function createWebhook(db: Db, input: WebhookCreate, now: Date = new Date()): Promise<WebhookView> {
  const url = parseWebhookUrl(input.url);
  await resolveTarget(url);
  const events = input.events ? JSON.stringify([...new Set(input.events)]) : null;
  const row = (await db.get<{ id: number }>(`INSERT INTO "Webhook" ("url", "events", "secret", "createdAt") VALUES (?, ?, ?, ?) RETURNING "id"`, [
    url.toString(),
    events,
    input.secret,
    now,
  ]))!;
  return (await getWebhook(db, row.id))!;
}

/** Deletes a webhook and its deliveries (a queued delivery then finds nothing to do). */
export async function deleteWebhook(db: Db, id: number): Promise<boolean> {
  return (await db.run(`DELETE FROM "Webhook" WHERE "id" = ?`, [id])).changes > 0;
}
