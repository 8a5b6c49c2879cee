import { db } from "@/lib/db/client";
import { deleteWebhook, getWebhook } from "@/lib/webhooks/store";
import { type IdContext, jsonOk, notFound, routeId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/webhooks/{id} */
export async function GET(_req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "webhook");
  if (typeof id !== "number") return id;
  const webhook = await getWebhook(db(), id);
  return webhook ? jsonOk({ webhook }) : notFound("Webhook", id);
}

/** DELETE /api/webhooks/{id}: 204; its pending deliveries are dropped. */
export async function DELETE(_req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "webhook");
  if (typeof id !== "number") return id;
  return (await deleteWebhook(db(), id)) ? new Response(null, { status: 204 }) : notFound("Webhook", id);
}
