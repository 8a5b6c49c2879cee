import { db } from "@/lib/db/client";
import { deleteSchedule, getSchedule, schedulePatchSchema, updateSchedule } from "@/lib/schedules/store";
import { type IdContext, jsonOk, notFound, readJson, routeId } from "../../_lib/http";
import { parseScheduleBody, withScheduleErrors } from "../_lib";
import { budgetRefusal } from "../../runs/_lib/budget";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/schedules/{id} */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "schedule");
  if (typeof id !== "number") return id;
  const schedule = await getSchedule(db(), id);
  return schedule ? jsonOk({ schedule }) : notFound("Schedule", id);
}

/** PATCH /api/schedules/{id} with any of `{cron, timezone, onNewData, config, enabled}`. */
export async function PATCH(req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "schedule");
  if (typeof id !== "number") return id;
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = parseScheduleBody(schedulePatchSchema, body.value);
  if (!parsed.ok) return parsed.response;
  if (parsed.data.config) {
    const existing = await getSchedule(db(), id);
    if (!existing) return notFound("Schedule", id);
    const refusal = await budgetRefusal(db(), existing.seriesId, parsed.data.config);
    if (refusal === "no-series") return notFound("Series", existing.seriesId);
    if (refusal) return refusal;
  }
  return withScheduleErrors(async () => {
    const schedule = await updateSchedule(db(), id, parsed.data);
    return schedule ? jsonOk({ schedule }) : notFound("Schedule", id);
  });
}

/** DELETE /api/schedules/{id}: 204 (the runs it made stay). */
export async function DELETE(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "schedule");
  if (typeof id !== "number") return id;
  if (!(await deleteSchedule(db(), id))) return notFound("Schedule", id);
  return new Response(null, { status: 204 });
}
