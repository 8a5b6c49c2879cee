import { db } from "@/lib/db/client";
import { getRunForecast } from "@/lib/runs/forecasts";
import { getRunRow } from "@/lib/runs/types";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/runs/{id}/forecast: the forecast the run made (404 FORECAST_NOT_READY until it succeeded). */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const run = await getRunRow(db(), id);
  if (!run) return notFound("Run", id);
  const forecast = await getRunForecast(db(), id);
  if (!forecast) return jsonError(404, "FORECAST_NOT_READY", `Run ${id} has no forecast (status: ${run.status}).`, { id, status: run.status });
  return jsonOk({ forecast });
}
