import type { Db } from "@/lib/db/types";
import type { ModelConfigInput } from "@/lib/forecast/config";
import { checkRunBudget } from "@/lib/runs/budget";
import { jsonError } from "../../_lib/http";

/**
 * The training budget against the series' real length (lib/runs/budget.ts): null when the run
 * fits, the 400 naming the field and its limit when not, "no-series" for an unknown series.
 */
export async function budgetRefusal(db: Db, seriesId: number, input: ModelConfigInput): Promise<Response | null | "no-series"> {
  const verdict = await checkRunBudget(db, seriesId, input);
  if (verdict.kind === "fits") return null;
  if (verdict.kind === "no-series") return "no-series";
  return jsonError(400, verdict.code, verdict.message, verdict.details);
}
