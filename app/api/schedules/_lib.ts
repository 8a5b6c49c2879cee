import type { z } from "zod";
import { ScheduleInputError, ScheduleLimitError } from "@/lib/schedules/store";
import { jsonError } from "../_lib/http";
import { isPlainObject, notAnObject, validationError } from "../runs/_lib/validation";

/** Parses a schedule body with `schema`, or answers the 400. */
export function parseScheduleBody<T>(schema: z.ZodType<T>, value: unknown): { ok: true; data: T } | { ok: false; response: Response } {
  if (!isPlainObject(value)) return { ok: false, response: notAnObject("schedule") };
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, response: validationError(parsed.error, "schedule") };
  return { ok: true, data: parsed.data };
}

/** Runs a write that may reject the cron expression or time zone (a readable 400) or pass the schedules' limit (409). */
export async function withScheduleErrors(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ScheduleInputError) {
      const code = err.field === "timezone" ? "INVALID_TIMEZONE" : "INVALID_CRON";
      return jsonError(400, code, err.message, { field: err.field });
    }
    if (err instanceof ScheduleLimitError) return jsonError(409, "TOO_MANY_SCHEDULES", err.message, { limit: err.limit, schedules: err.schedules });
    throw err;
  }
}
