import { getRun, makeRunCurrent } from "@/lib/db/runs";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** POST /api/runs/{id}/make-current: the series' current forecast becomes this run's forecast. */
export async function POST(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const result = makeRunCurrent(id);
  if (result.kind === "no-run") return notFound("Run", id);
  if (result.kind === "no-forecast") {
    return jsonError(409, "NO_FORECAST", `Run ${id} has no forecast to make current (status: ${result.status}).`, { id, status: result.status });
  }
  return jsonOk({ run: getRun(id), seriesId: result.seriesId, currentForecastId: result.forecastId });
}
