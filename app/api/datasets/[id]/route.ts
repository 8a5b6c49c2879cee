import { deleteDataset, getDataset } from "@/lib/db/datasets";
import { jsonError, jsonOk, notFound, parseId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = { params: Promise<{ id: string }> };

export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const id = parseId(raw);
  if (id === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a dataset id.`, { id: raw });
  const dataset = await getDataset(id);
  return dataset ? jsonOk({ dataset }) : notFound("Dataset", id);
}

/** DELETE /api/datasets/{id}: the dataset, its series, points, runs and forecasts. */
export async function DELETE(_req: Request, ctx: Ctx): Promise<Response> {
  const { id: raw } = await ctx.params;
  const id = parseId(raw);
  if (id === null) return jsonError(400, "INVALID_ID", `"${raw}" is not a dataset id.`, { id: raw });
  return (await deleteDataset(id)) ? new Response(null, { status: 204 }) : notFound("Dataset", id);
}
