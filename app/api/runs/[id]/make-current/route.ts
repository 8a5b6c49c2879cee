import { getRun, makeRunCurrent } from "@/lib/db/runs";
import { jsonError, jsonOk, notFound, parseId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** POST /api/runs/{id}/make-current: the series' current forecast becomes this run's forecast. */
export async function POST(_req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const id = parseId(raw);
  if (id === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a run id.`, { id: raw });
  const result = makeRunCurrent(id);
  if (result.kind === "no-run") return notFound("Run", id);
  if (result.kind === "no-forecast") {
    return jsonError(409, "NO_FORECAST", `Run ${id} has no forecast to make current (status: ${result.status}).`, { id, status: result.status });
  }
  return jsonOk({ run: getRun(id), seriesId: result.seriesId, currentForecastId: result.forecastId });
}
