import { z } from "zod";
import type { Db } from "../db/types";
import { DEFAULT_RULES, type AlertRules } from "../accuracy/rules";

/**
 * A series' alert rules: the defaults (lib/accuracy/rules.ts) until someone changes one. PUT
 * replaces the fields given and keeps the others.
 */
export const alertRulesSchema = z.strictObject({
  window: z.int().min(1, "The window must be at least 1 point").max(1000, "The window must be at most 1000 points").optional(),
  bandBreaks: z.int().min(1, "bandBreaks must be at least 1").max(1000, "bandBreaks must be at most 1000").optional(),
  maseFactor: z.number().gt(1, "maseFactor must be above 1").max(100, "maseFactor must be at most 100").optional(),
  minCoverage95: z.number().min(0, "minCoverage95 is a fraction from 0 to 1").max(1, "minCoverage95 is a fraction from 0 to 1").optional(),
  minPoints: z.int().min(1, "minPoints must be at least 1").max(1000, "minPoints must be at most 1000").optional(),
  runFailed: z.boolean().optional(),
  scheduleMissed: z.boolean().optional(),
});
export type AlertRulesPatch = z.infer<typeof alertRulesSchema>;

type RuleRow = AlertRules & { seriesId: number };
const COLUMNS = `"window", "bandBreaks", "maseFactor", "minCoverage95", "minPoints", "runFailed", "scheduleMissed"`;

export async function alertRules(db: Db, seriesId: number): Promise<AlertRules> {
  const row = await db.get<RuleRow>(`SELECT ${COLUMNS} FROM "AlertRule" WHERE "seriesId" = ?`, [seriesId]);
  if (!row) return { ...DEFAULT_RULES };
  return {
    window: row.window,
    bandBreaks: row.bandBreaks,
    maseFactor: row.maseFactor,
    minCoverage95: row.minCoverage95,
    minPoints: row.minPoints,
    runFailed: row.runFailed,
    scheduleMissed: row.scheduleMissed,
  };
}

/** Stores the series' rules with the patch applied; null when the series does not exist. */
export async function updateAlertRules(db: Db, seriesId: number, patch: AlertRulesPatch, now: Date = new Date()): Promise<AlertRules | null> {
  return db.transaction(async (tx) => {
    if ((await tx.get(`SELECT 1 AS "one" FROM "Series" WHERE "id" = ?${tx.dialect.forUpdate}`, [seriesId])) === undefined) return null;
    const rules: AlertRules = { ...(await alertRules(tx, seriesId)), ...patch };
    await tx.run(
      `INSERT INTO "AlertRule" ("seriesId", ${COLUMNS}, "updatedAt") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT ("seriesId") DO UPDATE SET "window" = excluded."window", "bandBreaks" = excluded."bandBreaks", "maseFactor" = excluded."maseFactor",
         "minCoverage95" = excluded."minCoverage95", "minPoints" = excluded."minPoints", "runFailed" = excluded."runFailed",
         "scheduleMissed" = excluded."scheduleMissed", "updatedAt" = excluded."updatedAt"`,
      [seriesId, rules.window, rules.bandBreaks, rules.maseFactor, rules.minCoverage95, rules.minPoints, rules.runFailed, rules.scheduleMissed, now],
    );
    return rules;
  });
}
