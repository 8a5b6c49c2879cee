import { getRun } from "@/lib/db/runs";
import { cancelRun } from "@/lib/jobs/runs";
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
  const result = cancelRun(id);
  if (result.kind === "not-found") return notFound("Run", id);
  if (result.kind === "finished") {
    if (result.run.status === "cancelled") return jsonOk({ run: getRun(id) });
    return jsonError(409, "RUN_FINISHED", `Run ${id} already ${result.run.status}; there is nothing to cancel.`, { id, status: result.run.status });
  }
  return jsonOk({ run: getRun(id) }, result.kind === "cancelled" ? 200 : 202);
}
