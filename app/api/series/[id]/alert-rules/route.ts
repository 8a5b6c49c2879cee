import { db } from "@/lib/db/client";
import { seriesExists } from "@/lib/datasets/datasets";
import { alertRules, alertRulesSchema, updateAlertRules } from "@/lib/alerts/rules";
import { type IdContext, jsonOk, notFound, readJson, routeId } from "../../../_lib/http";
import { isPlainObject, notAnObject, validationError } from "../../../runs/_lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/series/{id}/alert-rules: the series' alert rules (the defaults until changed). */
export async function GET(_req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "series");
  if (typeof id !== "number") return id;
  if (!(await seriesExists(db(), id))) return notFound("Series", id);
  return jsonOk({ rules: await alertRules(db(), id) });
}

/** PUT /api/series/{id}/alert-rules with any of the rules' fields: the others keep their values. */
export async function PUT(req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "series");
  if (typeof id !== "number") return id;
  const body = await readJson(req);
  if (!body.ok) return body.response;
  if (!isPlainObject(body.value)) return notAnObject("rules");
  const parsed = alertRulesSchema.safeParse(body.value);
  if (!parsed.success) return validationError(parsed.error, "rules");
  const rules = await updateAlertRules(db(), id, parsed.data);
  return rules ? jsonOk({ rules }) : notFound("Series", id);
}
