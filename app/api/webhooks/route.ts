import { db } from "@/lib/db/client";
import { WebhookTargetError } from "@/lib/webhooks/target";
import { createWebhook, listWebhooks, webhookCreateSchema } from "@/lib/webhooks/store";
import { jsonError, jsonOk, readJson } from "../_lib/http";
import { isPlainObject, notAnObject, validationError } from "../runs/_lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/webhooks: every webhook with its delivery counts (never its secret). */
export async function GET(): Promise<Response> {
  return jsonOk({ webhooks: await listWebhooks(db()) });
}

/**
 * POST /api/webhooks `{url, events?, secret}`: 201. Events default to every kind. A URL whose host
 * is or resolves to a private, loopback or link-local address answers 400 (unless
 * TIDECAST_WEBHOOK_ALLOW_PRIVATE=1).
 */
export async function POST(req: Request): Promise<Response> {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  if (!isPlainObject(body.value)) return notAnObject("webhook");
  const parsed = webhookCreateSchema.safeParse(body.value);
  if (!parsed.success) return validationError(parsed.error, "webhook");
  try {
    return jsonOk({ webhook: await createWebhook(db(), parsed.data) }, 201);
  } catch (err) {
    if (err instanceof WebhookTargetError) return jsonError(400, err.code, err.message, { field: "url" });
    throw err;
  }
}
