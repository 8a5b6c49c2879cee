import { seriesExport } from "@/app/api/_lib/exports";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

/** GET /api/series/{id}/forecast.json[?run=N]: see app/api/_lib/exports.ts. */
export async function GET(req: Request, ctx: Ctx): Promise<Response> {
  const { id } = await ctx.params;
  return seriesExport(req, id, "json");
}
