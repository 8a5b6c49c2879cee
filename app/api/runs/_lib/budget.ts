import { getSeries } from "@/lib/datasets/datasets";
import type { Db } from "@/lib/db/types";
import { budgetFromEnv, checkBudget } from "@/lib/forecast/budget";
import { resolveModelConfig, type ModelConfigInput } from "@/lib/forecast/config";
import { FREQUENCIES, type Frequency } from "@/lib/series/frequency";
import { jsonError } from "../../_lib/http";

/**
 * The training budget (lib/forecast/budget.ts) against the series' real length: null when the
 * run fits, the 400 naming the field and its limit when not, "no-series" for an unknown series.
 */
export async function budgetRefusal(db: Db, seriesId: number, input: ModelConfigInput): Promise<Response | null | "no-series"> {
  const series = await getSeries(db, seriesId);
  if (!series) return "no-series";
  const frequency: Frequency = (FREQUENCIES as readonly string[]).includes(series.frequency) ? (series.frequency as Frequency) : "irregular";
  const config = resolveModelConfig(input, frequency, series.pointCount);
  const check = checkBudget(config, series.pointCount, budgetFromEnv(process.env), Object.keys(input));
  if (check.ok) return null;
  const code = check.reason === "series-length" ? "CONFIG_DOES_NOT_FIT" : "OVER_BUDGET";
  return jsonError(400, code, `Invalid config: ${check.field}: ${check.message}`, {
    field: check.field,
    limit: check.limit,
    value: config[check.field],
    seriesLength: series.pointCount,
    estimate: check.estimate,
  });
}
