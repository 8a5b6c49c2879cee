import type { Db } from "../db/types";
import type { Findings } from "../accuracy/rules";
import { recordEvent } from "../events/record";
import type { EventRow } from "../events/types";
import { alertRules } from "./rules";

/**
 * Turning what the rules find into events. Each firing has a key, so it is stored (and sent to
 * webhooks) once however often the same data is scored again:
 *   drift            one per stretch of band breaks (keyed by the stretch's first date)
 *   accuracy         one per current forecast whose realised MASE broke its promise by the factor
 *   coverage         one per episode of the window's 95% coverage below the minimum (keyed by the
 *                    newest date scored when it fell below; it re-arms once coverage recovers)
 *   run.failed       one per run
 *   schedule.missed  one per schedule and due time
 */
const dateText = (ms: number) => new Date(ms).toISOString().replace(/T00:00:00\.000Z$/, "").replace(/:00\.000Z$/, "Z").replace("T", " ");
const pct = (v: number) => `${Math.round(v * 100)}%`;
const two = (v: number) => v.toFixed(2);

async function nameOf(db: Db, seriesId: number): Promise<string> {
  return (await db.get<{ name: string }>(`SELECT "name" FROM "Series" WHERE "id" = ?`, [seriesId]))?.name ?? `series ${seriesId}`;
}

export interface FiringContext {
  seriesId: number;
  /** The current forecast the accuracy and coverage findings are about. */
  currentForecastId: number | null;
  currentRunId: number | null;
  /** The low-coverage episode's key date (RollingAccuracy.coverageLowSince). */
  coverageLowSince: number | null;
  window: number;
  minCoverage95: number;
  now?: Date;
}

/** Stores the events of the rules' findings (new ones only); returns the events stored now. */
export async function fireFindings(tx: Db, findings: Findings, ctx: FiringContext): Promise<EventRow[]> {
  const now = ctx.now ?? new Date();
  const name = await nameOf(tx, ctx.seriesId);
  const fired: EventRow[] = [];
  const keep = (e: EventRow | null) => void (e && fired.push(e));
  for (const b of findings.breaks) {
    keep(
      await recordEvent(
        tx,
        {
          kind: "drift",
          seriesId: ctx.seriesId,
          key: `drift:${ctx.seriesId}:${b.from}`,
          message: `${name}: ${b.length} actual values in a row fell outside the 95% band (${dateText(b.from)} to ${dateText(b.to)}).`,
          data: { from: b.from, to: b.to, points: b.length, forecastIds: b.forecastIds },
        },
        now,
      ),
    );
  }
  const a = findings.accuracy;
  if (a) {
    keep(
      await recordEvent(
        tx,
        {
          kind: "accuracy",
          seriesId: ctx.seriesId,
          key: `accuracy:${ctx.seriesId}:${a.forecastId}`,
          message: `${name}: the current forecast${a.runId !== null ? ` (run #${a.runId})` : ""} is ${a.ratio.toFixed(1)}× as far off as its backtest promised: realised MASE ${two(a.realised)} on ${a.points} dates, promised ${two(a.promised)}.`,
          data: { runId: a.runId, forecastId: a.forecastId, realisedMase: a.realised, promisedMase: a.promised, ratio: a.ratio, points: a.points },
        },
        now,
      ),
    );
  }
  const c = findings.coverage;
  if (c && ctx.coverageLowSince !== null) {
    keep(
      await recordEvent(
        tx,
        {
          kind: "coverage",
          seriesId: ctx.seriesId,
          key: `coverage:${ctx.seriesId}:${ctx.coverageLowSince}`,
          message: `${name}: only ${pct(c.coverage95)} of the last ${c.points} actual values fell inside the 95% interval (the rule asks for at least ${pct(ctx.minCoverage95)}).`,
          data: { coverage95: c.coverage95, points: c.points, nominal: 0.95, minimum: ctx.minCoverage95, runId: ctx.currentRunId, forecastId: ctx.currentForecastId },
        },
        now,
      ),
    );
  }
  return fired;
}

/** A run failed for good (no attempt left). */
export async function alertRunFailed(tx: Db, runId: number, error: string, now: Date = new Date()): Promise<EventRow | null> {
  const run = await tx.get<{ seriesId: number; scheduleId: number | null }>(`SELECT "seriesId", "scheduleId" FROM "Run" WHERE "id" = ?`, [runId]);
  if (!run || !(await alertRules(tx, run.seriesId)).runFailed) return null;
  const name = await nameOf(tx, run.seriesId);
  return recordEvent(
    tx,
    {
      kind: "run.failed",
      seriesId: run.seriesId,
      key: `run.failed:${runId}`,
      message: `${name}: run #${runId}${run.scheduleId !== null ? ` (schedule ${run.scheduleId})` : ""} failed: ${error}`,
      data: { runId, scheduleId: run.scheduleId, error },
    },
    now,
  );
}

/** A schedule's tick did not start a run on time (the scheduler was down, or the previous run was still going). */
export async function alertScheduleMissed(
  tx: Db,
  s: { id: number; seriesId: number; cron: string | null; dueAt: Date; reason: string },
  now: Date = new Date(),
): Promise<EventRow | null> {
  if (!(await alertRules(tx, s.seriesId)).scheduleMissed) return null;
  const name = await nameOf(tx, s.seriesId);
  return recordEvent(
    tx,
    {
      kind: "schedule.missed",
      seriesId: s.seriesId,
      key: `schedule.missed:${s.id}:${s.dueAt.getTime()}`,
      message: `${name}: the retrain scheduled${s.cron ? ` by "${s.cron}"` : ""} for ${s.dueAt.toISOString()} did not run on time: ${s.reason}.`,
      data: { scheduleId: s.id, cron: s.cron, dueAt: s.dueAt.toISOString(), reason: s.reason },
    },
    now,
  );
}
