import { db } from "@/lib/db/client";
import { overviewPage } from "@/lib/overview/overview";
import { overviewQuerySchema } from "@/lib/overview/query";
import { jsonOk } from "../_lib/http";
import { validationError } from "../runs/_lib/validation";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/overview?page=1&pageSize=50&sort=status|name|mase|coverage|forecast|next|alerts&order=asc|desc&status=drifting,failing&q=
 * The overview page's data: a page of series with status, current model, realised accuracy,
 * next run and sparkline; the status counts; unacknowledged alerts and recent events.
 */
export async function GET(req: Request): Promise<Response> {
  const parsed = overviewQuerySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationError(parsed.error, "query");
  return jsonOk(await overviewPage(db(), parsed.data));
}
