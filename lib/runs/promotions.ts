import type { Db } from "../db/types";
import type { Decision, WindowMetric } from "../accuracy/promotion";

/**
 * Promotion decisions, one row per decision about a run's forecast (lib/promotion makes them):
 * promoted to the series' current forecast, kept as a candidate, or made current by hand. A run's
 * JSON carries its latest decision as `promotion`.
 */
export interface PromotionRow {
  id: number;
  seriesId: number;
  runId: number;
  championRunId: number | null;
  decision: Decision;
  metric: WindowMetric | null;
  challengerScore: number | null;
  championScore: number | null;
  windowFrom: number | null;
  windowTo: number | null;
  windowPoints: number;
  reason: string;
  createdAt: Date;
}

export const PROMOTION_COLUMNS = `"id", "seriesId", "runId", "championRunId", "decision", "metric", "challengerScore", "championScore", "windowFrom", "windowTo", "windowPoints", "reason", "createdAt"`;

export type NewPromotion = Omit<PromotionRow, "id" | "createdAt">;

export async function recordPromotion(tx: Db, p: NewPromotion, now: Date = new Date()): Promise<PromotionRow> {
  return (await tx.get<PromotionRow>(
    `INSERT INTO "Promotion" ("seriesId", "runId", "championRunId", "decision", "metric", "challengerScore", "championScore", "windowFrom", "windowTo", "windowPoints", "reason", "createdAt")
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${PROMOTION_COLUMNS}`,
    [p.seriesId, p.runId, p.championRunId, p.decision, p.metric, p.challengerScore, p.championScore, p.windowFrom, p.windowTo, p.windowPoints, p.reason, now],
  ))!;
}

/**
 * The `promotion` of a run's JSON. `champion` is null when there was no current forecast (or its
 * run no longer exists); a score is null when that model could not be scored.
 */
export interface PromotionView {
  decision: Decision;
  metric: WindowMetric | null;
  challenger: { runId: number; score: number | null };
  champion: { runId: number | null; score: number | null } | null;
  reason: string;
  /** The evaluation window both were scored on (dates in ms), null without a comparison. */
  window: { from: number; to: number; points: number } | null;
  at: string;
}

/** The columns of a promotion row as the runs list selects them (prefixed `p`). */
export interface PromotionColumns {
  pDecision: Decision | null;
  pMetric: WindowMetric | null;
  pChampionRunId: number | null;
  pChallengerScore: number | null;
  pChampionScore: number | null;
  pWindowFrom: number | null;
  pWindowTo: number | null;
  pWindowPoints: number | null;
  pReason: string | null;
  pCreatedAt: Date | null;
}

/** The latest decision of run r (joined as p): for the runs list's single query. */
export const LATEST_PROMOTION_JOIN = `LEFT JOIN "Promotion" p ON p."id" = (SELECT MAX(p2."id") FROM "Promotion" p2 WHERE p2."runId" = r."id")`;
export const LATEST_PROMOTION_COLUMNS = `p."decision" AS "pDecision", p."metric" AS "pMetric", p."championRunId" AS "pChampionRunId",
    p."challengerScore" AS "pChallengerScore", p."championScore" AS "pChampionScore", p."windowFrom" AS "pWindowFrom",
    p."windowTo" AS "pWindowTo", p."windowPoints" AS "pWindowPoints", p."reason" AS "pReason", p."createdAt" AS "pCreatedAt"`;

const asDate = (v: Date | string | null): Date | null => (v === null ? null : v instanceof Date ? v : new Date(v));

export function promotionView(runId: number, c: PromotionColumns): PromotionView | null {
  if (c.pDecision === null) return null;
  return {
    decision: c.pDecision,
    metric: c.pMetric,
    challenger: { runId, score: c.pChallengerScore },
    champion: c.pChampionRunId === null ? null : { runId: c.pChampionRunId, score: c.pChampionScore },
    reason: c.pReason ?? "",
    window: c.pWindowFrom !== null && c.pWindowTo !== null ? { from: c.pWindowFrom, to: c.pWindowTo, points: c.pWindowPoints ?? 0 } : null,
    at: (asDate(c.pCreatedAt as Date | string | null) ?? new Date(0)).toISOString(),
  };
}

/** The decisions about the series' runs, newest first (to tell served forecasts from kept candidates). */
export async function seriesPromotions(db: Db, seriesId: number): Promise<PromotionRow[]> {
  return db.all<PromotionRow>(`SELECT ${PROMOTION_COLUMNS} FROM "Promotion" WHERE "seriesId" = ? ORDER BY "id" DESC`, [seriesId]);
}
