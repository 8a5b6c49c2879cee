import { db } from "@/lib/db/client";
import { deleteDataset, getDataset } from "@/lib/datasets/datasets";
import { type IdContext, jsonOk, notFound, routeId } from "../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

type Ctx = IdContext;

export async function GET(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "dataset");
  if (typeof id !== "number") return id;
  const dataset = await getDataset(db(), id);
  return dataset ? jsonOk({ dataset }) : notFound("Dataset", id);
}

/** DELETE /api/datasets/{id}: the dataset, its series, points, runs and forecasts. */
export async function DELETE(_req: Request, ctx: Ctx): Promise<Response> {
  const id = await routeId(ctx, "dataset");
  if (typeof id !== "number") return id;
  return (await deleteDataset(db(), id)) ? new Response(null, { status: 204 }) : notFound("Dataset", id);
}
