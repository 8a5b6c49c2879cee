import { createSchedule, listSchedules, scheduleCreateSchema } from "@/lib/db/schedules";
import { seriesExists } from "@/lib/db/runs";
import { jsonError, jsonOk, notFound, parseId, readJson } from "../../../_lib/http";
import { parseScheduleBody, withScheduleErrors } from "../../../schedules/_lib";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/series/{id}/schedules */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const seriesId = parseId(raw);
  if (seriesId === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a series id.`, { id: raw });
  if (!seriesExists(seriesId)) return notFound("Series", seriesId);
  return jsonOk({ schedules: listSchedules({ seriesId }) });
}

/** POST /api/series/{id}/schedules `{cron?, timezone?, onNewData?, config?, enabled?}`: 201. */
export async function POST(req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const seriesId = parseId(raw);
  if (seriesId === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a series id.`, { id: raw });
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = parseScheduleBody(scheduleCreateSchema, body.value);
  if (!parsed.ok) return parsed.response;
  return withScheduleErrors(() => {
    const schedule = createSchedule(seriesId, parsed.data);
    if (!schedule) return notFound("Series", seriesId);
    return jsonOk({ schedule }, 201);
  });
}
