import { db } from "@/lib/db/client";
import { getRun } from "@/lib/runs/views";
import { type IdContext, jsonOk, notFound, routeId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/runs/{id}: the run, its progress (epoch k of n, ETA), job state and current epochs. */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const run = await getRun(db(), id);
  if (!run) return notFound("Run", id);
  return jsonOk({ run });
}
