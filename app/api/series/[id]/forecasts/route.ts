import { db } from "@/lib/db/client";
import { seriesExists } from "@/lib/datasets/datasets";
import { pastForecasts } from "@/lib/scoring/views";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/series/{id}/forecasts?limit=8: the newest stored forecasts with their dates and bands (the forecast-versus-actual chart). */
export async function GET(req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "series");
  if (typeof id !== "number") return id;
  const raw = new URL(req.url).searchParams.get("limit");
  const limit = raw === null ? 8 : Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 50) return jsonError(400, "INVALID_QUERY", `"limit" must be a whole number from 1 to 50, got "${raw}".`, { param: "limit", value: raw });
  if (!(await seriesExists(db(), id))) return notFound("Series", id);
  return jsonOk({ forecasts: await pastForecasts(db(), id, limit) });
}
