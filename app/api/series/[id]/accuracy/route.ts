import { db } from "@/lib/db/client";
import { seriesAccuracy } from "@/lib/scoring/views";
import { type IdContext, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/series/{id}/accuracy: each stored forecast's realised accuracy against the actual
 * values that arrived (`points` = how many of its dates have one; coverage as fractions; newest
 * first) and the series' rolling accuracy (the last N dates, the current model since it was
 * promoted, realised against promised).
 */
export async function GET(_req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "series");
  if (typeof id !== "number") return id;
  const view = await seriesAccuracy(db(), id);
  return view ? jsonOk(view) : notFound("Series", id);
}
