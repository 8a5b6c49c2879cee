import http from "node:http";
import https from "node:https";
import type { Db } from "../db/types";
import { payloadOf, type EventRow } from "../events/types";
import { SIGNATURE_HEADER, signature } from "./sign";
import { WebhookTargetError, allowPrivateTargets, checkedLookup, parseWebhookUrl, resolveTarget } from "./target";

/**
 * One delivery attempt of one event to one webhook: a POST of the event's JSON, signed with the
 * webhook's secret, to an address checked against SSRF (lib/webhooks/target.ts), with a timeout,
 * no redirects followed. A 2xx answer delivers it; anything else is an attempt that failed (the
 * queue retries it with backoff); a refused target fails it for good.
 */
export interface DeliveryJob {
  id: number;
  status: "pending" | "delivered" | "failed";
  url: string;
  secret: string;
  event: EventRow;
}

export async function loadDelivery(db: Db, deliveryId: number): Promise<DeliveryJob | null> {
  const row = await db.get<{ id: number; status: DeliveryJob["status"]; url: string; secret: string } & { [K in keyof EventRow as `e_${K}`]: EventRow[K] }>(
    `SELECT d."id", d."status", w."url", w."secret",
            e."id" AS "e_id", e."kind" AS "e_kind", e."seriesId" AS "e_seriesId", e."key" AS "e_key", e."severity" AS "e_severity",
            e."message" AS "e_message", e."data" AS "e_data", e."at" AS "e_at", e."acknowledgedAt" AS "e_acknowledgedAt"
       FROM "WebhookDelivery" d JOIN "Webhook" w ON w."id" = d."webhookId" JOIN "Event" e ON e."id" = d."eventId"
      WHERE d."id" = ?`,
    [deliveryId],
  );
  if (!row) return null;
  const at = row.e_at instanceof Date ? row.e_at : new Date(row.e_at as unknown as string);
  return {
    id: row.id,
    status: row.status,
    url: row.url,
    secret: row.secret,
    event: { id: row.e_id, kind: row.e_kind, seriesId: row.e_seriesId, key: row.e_key, severity: row.e_severity, message: row.e_message, data: row.e_data, at, acknowledgedAt: row.e_acknowledgedAt },
  };
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
  /** Retrying cannot help (the target is refused). */
  permanent: boolean;
}

export function webhookTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.TIDECAST_WEBHOOK_TIMEOUT_MS ?? "10000");
  return Number.isFinite(n) && n > 0 ? n : 10_000;
}

function post(url: URL, body: string, headers: Record<string, string>, timeoutMs: number, allowPrivate: boolean): Promise<number> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise<number>((resolve, reject) => {
    const req = client.request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(body)) },
      lookup: checkedLookup({ allowPrivate }),
      agent: false,
      timeout: timeoutMs,
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", reject);
    req.on("response", (res) => {
      res.resume(); // the body is not needed; drain it so the socket closes
      res.on("end", () => resolve(res.statusCode ?? 0));
      res.on("error", () => resolve(res.statusCode ?? 0));
    });
    req.end(body);
  });
}

/** Sends the delivery's event once. */
export async function attemptDelivery(d: DeliveryJob, options: { timeoutMs?: number; allowPrivate?: boolean } = {}): Promise<AttemptResult> {
  const allowPrivate = options.allowPrivate ?? allowPrivateTargets();
  const body = JSON.stringify(payloadOf(d.event));
  let url: URL;
  try {
    url = parseWebhookUrl(d.url);
    await resolveTarget(url, { allowPrivate });
  } catch (err) {
    const permanent = err instanceof WebhookTargetError && err.code !== "WEBHOOK_TARGET_UNRESOLVED";
    return { ok: false, status: null, error: (err as Error).message, permanent };
  }
  const headers = {
    "content-type": "application/json",
    "user-agent": "Tidecast-Webhook/1",
    "x-tidecast-event": d.event.kind,
    "x-tidecast-delivery": String(d.id),
    [SIGNATURE_HEADER.toLowerCase()]: signature(d.secret, body),
  };
  try {
    const status = await post(url, body, headers, options.timeoutMs ?? webhookTimeoutMs(), allowPrivate);
    if (status >= 200 && status < 300) return { ok: true, status, error: null, permanent: false };
    const why = status >= 300 && status < 400 ? `answered ${status} (redirects are not followed)` : `answered ${status}`;
    return { ok: false, status, error: `${url.host} ${why}`, permanent: false };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const permanent = e instanceof WebhookTargetError && e.code === "WEBHOOK_TARGET_PRIVATE";
    return { ok: false, status: null, error: `${url.host}: ${e.message}`, permanent };
  }
}

/** Delivered: only a pending delivery changes (run it in the transaction that finishes the job). */
export async function markDelivered(tx: Db, deliveryId: number, status: number, now: Date = new Date()): Promise<boolean> {
  const { changes } = await tx.run(
    `UPDATE "WebhookDelivery" SET "status" = 'delivered', "attempts" = "attempts" + 1, "lastStatus" = ?, "lastError" = NULL, "deliveredAt" = ?, "updatedAt" = ?
      WHERE "id" = ? AND "status" = 'pending'`,
    [status, now, now, deliveryId],
  );
  return changes > 0;
}

/** A failed attempt, kept for the webhook list. */
export async function markAttemptFailed(db: Db, deliveryId: number, result: AttemptResult, now: Date = new Date()): Promise<void> {
  await db.run(`UPDATE "WebhookDelivery" SET "attempts" = "attempts" + 1, "lastStatus" = ?, "lastError" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" = 'pending'`, [
    result.status,
    result.error,
    now,
    deliveryId,
  ]);
}

/** No attempt left: failed for good. */
export async function markDeliveryFailed(tx: Db, deliveryId: number, error: string, now: Date = new Date()): Promise<void> {
  await tx.run(`UPDATE "WebhookDelivery" SET "status" = 'failed', "lastError" = ?, "updatedAt" = ? WHERE "id" = ? AND "status" = 'pending'`, [error, now, deliveryId]);
}
