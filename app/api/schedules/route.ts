import { db } from "@/lib/db/client";
import { createSchedule, listSchedules, scheduleCreateWithSeriesSchema } from "@/lib/schedules/store";
import { jsonError, jsonOk, notFound, parseId, readJson } from "../_lib/http";
import { parseScheduleBody, withScheduleErrors } from "./_lib";
import { budgetRefusal } from "../runs/_lib/budget";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/** GET /api/schedules?seriesId=: every schedule (or one series'), each with its next five run times. */
export async function GET(req: Request): Promise<Response> {
  const raw = new URL(req.url).searchParams.get("seriesId");
  if (raw === null || raw === "") return jsonOk({ schedules: await listSchedules(db()) });
  const seriesId = parseId(raw);
  if (seriesId === null) return jsonError(400, "INVALID_QUERY", `"seriesId" must be a positive id, got "${raw}".`, { param: "seriesId", value: raw });
  return jsonOk({ schedules: await listSchedules(db(), { seriesId }) });
}

/** POST /api/schedules `{seriesId, cron?, timezone?, onNewData?, config?, enabled?}`: 201 with the schedule. */
export async function POST(req: Request): Promise<Response> {
  const body = await readJson(req);
  if (!body.ok) return body.response;
  const parsed = parseScheduleBody(scheduleCreateWithSeriesSchema, body.value);
  if (!parsed.ok) return parsed.response;
  const { seriesId, ...input } = parsed.data;
  const refusal = await budgetRefusal(db(), seriesId, input.config ?? {});
  if (refusal === "no-series") return notFound("Series", seriesId);
  if (refusal) return refusal;
  return withScheduleErrors(async () => {
    const schedule = await createSchedule(db(), seriesId, input);
    if (!schedule) return notFound("Series", seriesId);
    return jsonOk({ schedule }, 201);
  });
}
