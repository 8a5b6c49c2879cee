import { db } from "@/lib/db/client";
import { seriesExists } from "@/lib/datasets/datasets";
import { createSchedule, listSchedules, scheduleCreateSchema } from "@/lib/schedules/store";
import { type IdContext, jsonOk, notFound, readJson, routeId } from "../../../_lib/http";
import { parseScheduleBody, withScheduleErrors } from "../../../schedules/_lib";
import { budgetRefusal } from "../../../runs/_lib/budget";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

/** GET /api/series/{id}/schedules */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const seriesId = await routeId(ctx, "series");
  if (typeof seriesId !== "number") return seriesId;
  if (!(await seriesExists(db(), seriesId))) return notFound("Series", seriesId);
  return jsonOk({ schedules: await listSchedules(db(), { seriesId }) });
}

/** POST /api/series/{id}/schedules `{cron?, timezone?, onNewData?, config?, enabled?}`: 201. */
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  const seriesId = await routeId(ctx, "series");
  if (typeof seriesId !== "number") return seriesId;
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = parseScheduleBody(scheduleCreateSchema, body.value);
  if (!parsed.ok) return parsed.response;
  const refusal = await budgetRefusal(db(), seriesId, parsed.data.config ?? {});
  if (refusal === "no-series") return notFound("Series", seriesId);
  if (refusal) return refusal;
  return withScheduleErrors(async () => {
    const schedule = await createSchedule(db(), seriesId, parsed.data);
    if (!schedule) return notFound("Series", seriesId);
    return jsonOk({ schedule }, 201);
  });
}
