import { getRunForecast } from "@/lib/db/runs";
import { getRunRow } from "@/lib/jobs/runs";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/runs/{id}/forecast: the forecast the run made (404 FORECAST_NOT_READY until it succeeded). */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const run = getRunRow(id);
  if (!run) return notFound("Run", id);
  const forecast = getRunForecast(id);
  if (!forecast) return jsonError(404, "FORECAST_NOT_READY", `Run ${id} has no forecast (status: ${run.status}).`, { id, status: run.status });
  return jsonOk({ forecast });
}
