import { db } from "@/lib/db/client";
import { getRunModelSource } from "@/lib/runs/models";
import { ForecastError, loadModel, type LoadedModel } from "@/lib/forecast";
import { AnatomyError, modelAnatomy } from "@/lib/forecast/anatomy";
import { type IdContext, jsonError, jsonOk, notFound, routeId } from "../../../_lib/http";

export const runtime = "nodejs";
export const dynamic = "force-dynamic";

/**
 * GET /api/runs/{id}/anatomy?member=&origin=: inside one neural member of the run's model, for the
 * window ending at `origin` (default: the window its forecast was made from): hidden states,
 * gates and shared weights per layer, and integrated-gradients attributions of every forecast
 * step, in the model's scaled units (see `scaling`). `member` is a member id from `members`
 * (default "0"). 404 when the run has no neural model; 400 for a bad member or origin.
 */
export async function GET(req: Request, ctx: IdContext): Promise<Response> {
  const id = await routeId(ctx, "run");
  if (typeof id !== "number") return id;
  const params = new URL(req.url).searchParams;
  const member = params.get("member") || undefined;
  const originText = params.get("origin") || undefined;
  if (member !== undefined && !/^[a-z0-9-]{1,32}$/.test(member)) {
    return jsonError(400, "INVALID_MEMBER", `"${member.slice(0, 40)}" is not a member id (a number for a network, e.g. "0").`, { member: member.slice(0, 40) });
  }
  if (originText !== undefined && !/^[0-9]{1,9}$/.test(originText)) {
    return jsonError(400, "INVALID_ORIGIN", `"${originText.slice(0, 40)}" is not an origin: give the index of the window's last step, a whole number.`, { origin: originText.slice(0, 40) });
  }
  const source = await getRunModelSource(db(), id);
  if (!source) return notFound("Run", id);
  if (!source.model) {
    return jsonError(404, "NO_MODEL", `Run ${id} has no trained model to look inside (status: ${source.status}).`, { id, status: source.status });
  }
  let model: LoadedModel;
  try {
    model = loadModel(source.model);
  } catch (err) {
    return jsonError(404, "NO_MODEL", `Run ${id}'s model cannot be read: ${(err as Error).message}`, { id });
  }
  try {
    const anatomy = modelAnatomy(model, source.series, { member, origin: originText === undefined ? undefined : Number(originText) });
    return jsonOk({ runId: id, seriesId: source.seriesId, ...anatomy });
  } catch (err) {
    if (err instanceof AnatomyError) {
      if (err.code === "no-network") return jsonError(404, "NO_NEURAL_MODEL", `Run ${id} has no neural network: ${err.message}`, { id });
      return jsonError(400, err.code === "bad-member" ? "INVALID_MEMBER" : "INVALID_ORIGIN", err.message, err.details);
    }
    if (err instanceof ForecastError) return jsonError(422, "ANATOMY_UNAVAILABLE", err.message, { id, code: err.code });
    throw err;
  }
}
