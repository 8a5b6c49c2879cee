import { db } from "@/lib/db/client";
import { listRecentRuns } from "@/lib/runs/views";
import type { RunStatus } from "@/lib/runs/types";
import { jsonError, jsonOk } from "../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const STATUSES: readonly RunStatus[] = ["queued", "running", "succeeded", "failed", "cancelled"];

/** GET /api/runs?status=queued,running&limit=50: recent runs of every series (the jobs page). */
export async function GET(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const statuses = (url.searchParams.get("status") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const bad = statuses.find((s) => !(STATUSES as readonly string[]).includes(s));
  if (bad) return jsonError(400, "INVALID_QUERY", `Unknown status "${bad}"; use ${STATUSES.join(", ")}.`, { param: "status", value: bad });
  const limit = Number(url.searchParams.get("limit") ?? "50") || 50;
  return jsonOk({ runs: await listRecentRuns(db(), { statuses: statuses as RunStatus[], limit }) });
}
