import { db } from "@/lib/db/client";
import { acknowledgeEvent } from "@/lib/events/store";
import { type IdContext, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** POST /api/events/{id}/ack: acknowledges the event (again: no change, the first time is kept). */
export async function POST(_req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "event");
  if (typeof id !== "number") return id;
  const event = await acknowledgeEvent(db(), id);
  return event ? jsonOk({ event }) : notFound("Event", id);
}
