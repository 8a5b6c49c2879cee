import { sqlite } from "@/lib/db/client";
import { runView } from "@/lib/db/runs";
import { RUN_COLUMNS, type RunRow } from "@/lib/jobs/runs";
import { jsonError, jsonOk } from "../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

const STATUSES = ["queued", "running", "succeeded", "failed", "cancelled"];

/** GET /api/runs?status=queued,running&limit=50: recent runs of every series (the jobs page). */
export async function GET(req: Request): Promise<Response> {
  const url = new URL(req.url);
  const statuses = (url.searchParams.get("status") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const bad = statuses.find((s) => !STATUSES.includes(s));
  if (bad) return jsonError(400, "INVALID_QUERY", `Unknown status "${bad}"; use ${STATUSES.join(", ")}.`, { param: "status", value: bad });
  const limit = Math.min(Math.max(Number(url.searchParams.get("limit") ?? "50") || 50, 1), 500);
  const where = statuses.length ? `WHERE "status" IN (${statuses.map(() => "?").join(", ")})` : "";
  const rows = sqlite().prepare(`SELECT ${RUN_COLUMNS} FROM "Run" ${where} ORDER BY "id" DESC LIMIT ?`).all(...statuses, limit) as RunRow[];
  return jsonOk({ runs: rows.map((r) => runView(r)) });
}
