import { db } from "@/lib/db/client";
import { getRun } from "@/lib/runs/views";
import { cancelRun } from "@/lib/runs/cancel";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/**
 * POST /api/runs/{id}/cancel: a queued run is cancelled at once (200); a running one is asked to
 * stop and its worker stops it within a few seconds (202, status still "running" with
 * cancelRequested: true); a finished run answers 409.
 */
export async function POST(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const result = await cancelRun(db(), id);
  if (result.kind === "not-found") return notFound("Run", id);
  if (result.kind === "finished") {
    if (result.run.status === "cancelled") return jsonOk({ run: await getRun(db(), id) });
    return jsonError(409, "RUN_FINISHED", `Run ${id} already ${result.run.status}; there is nothing to cancel.`, { id, status: result.run.status });
  }
  return jsonOk({ run: await getRun(db(), id) }, result.kind === "cancelled" ? 200 : 202);
}
