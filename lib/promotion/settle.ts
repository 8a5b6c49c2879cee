import type { Db } from "../db/types";
import type { SeriesInput } from "../forecast";
import { decide, type DecisionResult, type PromoteMode } from "../accuracy/promotion";
import { recordEvent } from "../events/record";
import type { EngineOutcome } from "../runs/engine";
import { recordPromotion, type PromotionRow } from "../runs/promotions";
import { isolated } from "../alerts/isolated";
import { scoreSeries } from "../scoring/score";
import { evaluateChallenger, type Evaluation } from "./evaluate";

/**
 * The decision about a finished run's forecast, made in the transaction that stores the run's
 * result (the worker's `complete`): promoted to the series' current forecast, or kept as a
 * candidate with the reason. Both scores and the window are stored (Promotion), an event says
 * what happened, and the series' realised accuracy is recomputed (its current model changed).
 *
 * What a run does depends on how it was asked for: a schedule's run (by cron or on new data)
 * carries its schedule's `promote` ("if-better" by default); a run requested by hand (API, train
 * form, CLI) is promoted, because a person asked for that model; it is still scored against
 * the current one, and the scores are shown.
 */
export interface SettleInput {
  runId: number;
  seriesId: number;
  forecastId: number;
  mode: PromoteMode;
  requestedByHand: boolean;
  /** Made before the transaction (model replays are CPU work); redone if the current forecast changed since. */
  evaluation: Evaluation;
  outcome: EngineOutcome;
  series: SeriesInput;
  now?: Date;
}

export interface Settled extends DecisionResult {
  promotion: PromotionRow;
}

export async function settlePromotion(tx: Db, input: SettleInput): Promise<Settled> {
  const now = input.now ?? new Date();
  const series = await tx.get<{ currentForecastId: number | null }>(`SELECT "currentForecastId" FROM "Series" WHERE "id" = ?${tx.dialect.forUpdate}`, [input.seriesId]);
  const current = series?.currentForecastId ?? null;
  const evaluation = current === input.evaluation.championForecastId ? input.evaluation : await evaluateChallenger(tx, input.seriesId, input.outcome, input.series);
  const result = decide({
    mode: input.mode,
    requestedByHand: input.requestedByHand,
    challengerRunId: input.runId,
    champion: evaluation.champion,
    scores: evaluation.scores,
    noScores: evaluation.noScores,
  });
  if (result.decision === "promoted") {
    await tx.run(`UPDATE "Series" SET "currentForecastId" = ?, "updatedAt" = ? WHERE "id" = ?`, [input.forecastId, now, input.seriesId]);
  }
  const s = evaluation.scores;
  const promotion = await recordPromotion(
    tx,
    {
      seriesId: input.seriesId,
      runId: input.runId,
      championRunId: evaluation.champion?.runId ?? null,
      decision: result.decision,
      metric: s?.metric ?? null,
      challengerScore: s?.challenger ?? null,
      championScore: s?.champion ?? null,
      windowFrom: s?.from ?? null,
      windowTo: s?.to ?? null,
      windowPoints: s?.points ?? 0,
      reason: result.reason,
    },
    now,
  );
  const kind = result.decision === "promoted" ? "forecast.promoted" : "forecast.kept";
  const name = (await tx.get<{ name: string }>(`SELECT "name" FROM "Series" WHERE "id" = ?`, [input.seriesId]))?.name ?? `series ${input.seriesId}`;
  await recordEvent(
    tx,
    {
      kind,
      seriesId: input.seriesId,
      key: `${kind}:${promotion.id}`,
      message: `${name}: run #${input.runId} ${result.decision === "promoted" ? "is now the current forecast" : "was kept as a candidate"}. ${result.reason}`,
      data: {
        runId: input.runId,
        forecastId: input.forecastId,
        decision: result.decision,
        metric: promotion.metric,
        challenger: { runId: input.runId, score: promotion.challengerScore },
        champion: promotion.championRunId === null ? null : { runId: promotion.championRunId, score: promotion.championScore },
        reason: result.reason,
      },
    },
    now,
  );
  // The current model changed: its realised accuracy starts over (a scoring bug must not undo the decision).
  await isolated(tx, `scoring series ${input.seriesId}`, (inner) => scoreSeries(inner, input.seriesId, now));
  return { ...result, promotion };
}
