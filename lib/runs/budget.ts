import type { Db } from "../db/types";
import { getSeries } from "../datasets/datasets";
import { budgetFromEnv, checkBudget, type BudgetField, type RunEstimate } from "../forecast/budget";
import { resolveModelConfig, type ModelConfigInput } from "../forecast/config";
import { FREQUENCIES, type Frequency } from "../series/frequency";

/**
 * The training budget (lib/forecast/budget.ts) of a run asked for a stored series, against the
 * series' real length: what the run endpoint, the schedule endpoints and the CLI's `train`
 * check before anything is queued.
 */
export type RunBudgetVerdict =
  | { kind: "fits" }
  | { kind: "no-series" }
  | {
      kind: "refused";
      code: "CONFIG_DOES_NOT_FIT" | "OVER_BUDGET";
      message: string;
      details: { field: BudgetField; limit: number; value: number; seriesLength: number; estimate: RunEstimate };
    };

export async function checkRunBudget(db: Db, seriesId: number, input: ModelConfigInput, env: Record<string, string | undefined> = process.env): Promise<RunBudgetVerdict> {
  const series = await getSeries(db, seriesId);
  if (!series) return { kind: "no-series" };
  const frequency: Frequency = (FREQUENCIES as readonly string[]).includes(series.frequency) ? (series.frequency as Frequency) : "irregular";
  const config = resolveModelConfig(input, frequency, series.pointCount);
  const check = checkBudget(config, series.pointCount, budgetFromEnv(env), Object.keys(input));
  if (check.ok) return { kind: "fits" };
  return {
    kind: "refused",
    code: check.reason === "series-length" ? "CONFIG_DOES_NOT_FIT" : "OVER_BUDGET",
    message: `Invalid config: ${check.field}: ${check.message}`,
    details: { field: check.field, limit: check.limit, value: config[check.field], seriesLength: series.pointCount, estimate: check.estimate },
  };
}
