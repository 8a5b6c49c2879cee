import { db } from "@/lib/db/client";
import { EVENT_KINDS, isEventKind, type EventKind } from "@/lib/events/kinds";
import { listEvents, type EventFilter } from "@/lib/events/store";
import { jsonError, jsonOk, parseId } from "../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const bad = (param: string, message: string, value: string) => jsonError(400, "INVALID_QUERY", message, { param, value });

/**
 * GET /api/events?seriesId=&kind=drift,run.failed&severity=alert&unacknowledged=1&before=&limit=50:
 * events newest first; `before` (an event id) pages back.
 */
export async function GET(req: Request): Promise<Response> {
  const q = new URL(req.url).searchParams;
  const filter: EventFilter = {};
  for (const key of ["seriesId", "before"] as const) {
    const raw = q.get(key);
    if (raw === null) continue;
    const id = parseId(raw);
    if (id === null) return bad(key, `"${key}" must be a positive id, got "${raw}".`, raw);
    filter[key] = id;
  }
  const kinds = q.get("kind");
  if (kinds !== null) {
    const list = kinds.split(",").map((k) => k.trim()).filter(Boolean);
    const unknown = list.find((k) => !isEventKind(k));
    if (unknown !== undefined) return bad("kind", `"${unknown}" is not an event kind; kinds: ${EVENT_KINDS.join(", ")}.`, kinds);
    filter.kinds = list as EventKind[];
  }
  const severity = q.get("severity");
  if (severity !== null) {
    if (severity !== "alert" && severity !== "info") return bad("severity", `"severity" is alert or info, got "${severity}".`, severity);
    filter.severity = severity;
  }
  const unacked = q.get("unacknowledged");
  if (unacked !== null) {
    if (!["1", "true", "0", "false"].includes(unacked)) return bad("unacknowledged", `"unacknowledged" is 1 or 0, got "${unacked}".`, unacked);
    filter.unacknowledged = unacked === "1" || unacked === "true";
  }
  const limit = q.get("limit");
  if (limit !== null) {
    const n = Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 500) return bad("limit", `"limit" must be a whole number from 1 to 500, got "${limit}".`, limit);
    filter.limit = n;
  }
  return jsonOk({ events: await listEvents(db(), filter) });
}
