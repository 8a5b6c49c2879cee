import { getRun } from "@/lib/db/runs";
import { jsonError, jsonOk, notFound, parseId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/runs/{id}: the run, its progress (epoch k of n, ETA), job state and current epochs. */
export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const id = parseId(raw);
  if (id === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a run id.`, { id: raw });
  const run = getRun(id);
  if (!run) return notFound("Run", id);
  return jsonOk({ run });
}
