import { modelConfigSchema } from "@/lib/forecast/config";
import { db } from "@/lib/db/client";
import { seriesExists } from "@/lib/datasets/datasets";
import { requestRun } from "@/lib/runs/request";
import { getRun, listRuns } from "@/lib/runs/views";
import { queueFullMessage } from "@/lib/runs/limits";
import { type IdContext, jsonError, jsonOk, notFound, readJson, routeId } from "../../../_lib/http";
import { isPlainObject, notAnObject, validationError } from "../../../runs/_lib/validation";
import { budgetRefusal } from "../../../runs/_lib/budget";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/series/{id}/runs?status=&limit=: the series' runs, newest first (no epochs). */
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const seriesId = await routeId(ctx, "series");
  if (typeof seriesId !== "number") return seriesId;
  if (!(await seriesExists(db(), seriesId))) return notFound("Series", seriesId);
  const url = new URL(req.url);
  const status = url.searchParams.get("status") ?? undefined;
  const limit = Number(url.searchParams.get("limit") ?? "100");
  return jsonOk({ runs: await listRuns(db(), seriesId, { status, limit: Number.isFinite(limit) ? limit : 100 }) });
}

/**
 * POST /api/series/{id}/runs with a model config (every field optional): 202 with the queued run,
 * or 200 with the identical run already queued or running; 400 naming the field when the run does
 * not fit the series or the training budget.
 */
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  const seriesId = await routeId(ctx, "series");
  if (typeof seriesId !== "number") return seriesId;
  const body = await readJson(req);
  if (!body.ok) return body.response;
  if (!isPlainObject(body.value)) return notAnObject("config");
  const parsed = modelConfigSchema.safeParse(body.value);
  if (!parsed.success) return validationError(parsed.error, "config");
  const refusal = await budgetRefusal(db(), seriesId, parsed.data);
  if (refusal === "no-series") return notFound("Series", seriesId);
  if (refusal) return refusal;
  const result = await requestRun(db(), seriesId, parsed.data);
  if (result.kind === "no-series") return notFound("Series", seriesId);
  if (result.kind === "queue-full") {
    return jsonError(429, "QUEUE_FULL", queueFullMessage(result, seriesId), { scope: result.scope, limit: result.limit, queued: result.queued });
  }
  return jsonOk({ run: await getRun(db(), result.run.id, { epochs: false }), created: result.kind === "created" }, result.kind === "created" ? 202 : 200);
}
