/**
 * One task of the forecast CLI: trains one global-model member or fits one series, reporting
 * progress and the outcome through `post`. The pool runs it in a worker thread
 * (forecast-worker.ts), or on the calling thread when there is a single thread to use.
 */
import { ForecastError, fitForecast, runGlobalMember, type GlobalPlan, type SeriesInput, type ModelConfigInput } from "../../lib/forecast";
import type { WorkerMessage, WorkerRequest } from "./pool";

export function runTask(req: WorkerRequest, post: (m: WorkerMessage) => void): void {
  try {
    if (req.kind === "global-member") {
      const plan = req.plan as GlobalPlan;
      const { spec } = plan.members[req.index];
      const started = Date.now();
      const result = runGlobalMember(plan, req.index, {
        onEpoch: (epoch, trainLoss, valLoss) =>
          post({
            type: "progress",
            text: `member ${req.index + 1}/${plan.members.length} (${spec.cell}, lookback ${spec.lookback}) epoch ${epoch}: train ${trainLoss.toFixed(4)}, val ${valLoss === null ? "-" : valLoss.toFixed(4)} (${((Date.now() - started) / 1000).toFixed(1)} s)`,
          }),
      });
      post({ type: "done", result });
      return;
    }
    const s = req.series as SeriesInput;
    let out;
    try {
      out = fitForecast(s, req.config as ModelConfigInput, req.seed, { levels: req.levels });
    } catch (e) {
      // One series that cannot be forecast (too short, ...) must not stop the others.
      if (e instanceof ForecastError) return post({ type: "done", result: { name: s.name, error: e.message } });
      throw e;
    }
    post({
      type: "done",
      result: {
        name: s.name,
        timestamps: out.timestamps,
        forecast: out.forecast,
        intervals: out.intervals,
        neural: out.neural,
        method: out.chosen.model,
        covariates: out.chosen.covariates,
        note: out.metrics.note,
        beatsSeasonalNaive: out.metrics.beatsSeasonalNaive,
      },
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    post({ type: "error", name: err?.name ?? "Error", code: err?.code, message: err?.message ?? String(e) });
  }
}
