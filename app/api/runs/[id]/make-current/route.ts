import { db } from "@/lib/db/client";
import { makeRunCurrent } from "@/lib/runs/forecasts";
import { getRun } from "@/lib/runs/views";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** POST /api/runs/{id}/make-current: the series' current forecast becomes this run's forecast. */
export async function POST(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const result = await makeRunCurrent(db(), id);
  if (result.kind === "no-run") return notFound("Run", id);
  if (result.kind === "no-forecast") {
    return jsonError(409, "NO_FORECAST", `Run ${id} has no forecast to make current (status: ${result.status}).`, { id, status: result.status });
  }
  return jsonOk({ run: await getRun(db(), id), seriesId: result.seriesId, currentForecastId: result.forecastId });
}
