import { db } from "@/lib/db/client";
import { getSeries } from "@/lib/datasets/datasets";
import { readPoints } from "@/lib/datasets/points";
import { parseTimestamp } from "@/lib/series";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

function parseBound(url: URL, key: "from" | "to"): number | undefined | { error: Response } {
  const raw = url.searchParams.get(key);
  if (raw === null || raw === "") return undefined;
  const ts = /^-?\d+$/.test(raw) ? Number(raw) : parseTimestamp(raw);
  if (ts === null || !Number.isFinite(ts)) {
    return { error: jsonError(400, "INVALID_QUERY", `"${key}" must be an ISO date or epoch milliseconds, got "${raw}".`, { param: key, value: raw }) };
  }
  return ts;
}

/**
 * GET /api/series/{id}?from=&to=: the series with its points as columns
 * (`points.ts` epoch ms, `points.value` with null for missing) — compact for a million points.
 */
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "series");
  if (typeof id !== "number") return id;
  const url = new URL(req.url);
  const from = parseBound(url, "from");
  const to = parseBound(url, "to");
  if (typeof from === "object") return from.error;
  if (typeof to === "object") return to.error;
  const series = await getSeries(db(), id);
  if (!series) return notFound("Series", id);
  const { timestamps, values } = await readPoints(db(), id, { from, to });
  const value: (number | null)[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) value[i] = Number.isNaN(values[i]) ? null : values[i];
  return jsonOk({ series, points: { ts: Array.from(timestamps), value } });
}
