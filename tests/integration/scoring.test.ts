import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, onTestFinished } from "vitest";
import { TEST_DATABASE, count, emptyTestDatabase } from "../helpers/database";
import { closeDb } from "../../lib/db/client";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { apiRun, ctx } from "./helpers/api";
import { co2Rows, csvOf, upload, type Row } from "./helpers/co2";
import { POST as startRun } from "../../app/api/series/[id]/runs/route";
import { GET as runForecast } from "../../app/api/runs/[id]/forecast/route";
import { GET as accuracyRoute } from "../../app/api/series/[id]/accuracy/route";
import { POST as createSchedule } from "../../app/api/series/[id]/schedules/route";
import { loadModel, predictFromModel } from "../../lib/forecast";
import type { Db } from "../../lib/db/types";
import type { ForecastView } from "../../lib/runs/forecasts";
import type { SeriesAccuracyView } from "../../lib/scoring/views";

/**
 * Forecasts that keep score, end to end on a real series (monthly CO2 at Mauna Loa) through the
 * CLI's `import` and the upload route (both go through importUpload, lib/imports) and a real worker with the
 * real engine: import the first part, train, upload the rest in pieces; every realised metric is
 * checked against values computed here by hand, and a retrain on new data must beat the current
 * model on the same window to replace it.
 */
let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

const SEASON = 12; // monthly
const TINY = { model: "gru", epochs: 3, hiddenSize: 4, horizon: 12, lookback: 12 } as const;

async function post(seriesId: number, body: unknown) {
  const res = await startRun(new Request(`http://localhost/api/series/${seriesId}/runs`, { method: "POST", body: JSON.stringify(body) }), ctx(seriesId));
  return ((await res.json()) as { run: { id: number } }).run;
}

async function accuracy(seriesId: number): Promise<SeriesAccuracyView> {
  const res = await accuracyRoute(new Request(`http://localhost/api/series/${seriesId}/accuracy`), ctx(seriesId));
  expect(res.status).toBe(200);
  return (await res.json()) as SeriesAccuracyView;
}

async function forecastOf(runId: number): Promise<ForecastView> {
  return ((await (await runForecast(new Request("http://localhost"), ctx(runId))).json()) as { forecast: ForecastView }).forecast;
}

const finished = async (db: Db, runId: number) =>
  !["queued", "running"].includes((await db.get<{ status: string }>(`SELECT "status" FROM "Run" WHERE "id" = ?`, [runId]))!.status);

/** The in-sample seasonal-naive MAE (lag 12) of the history: the MASE denominator, by hand. */
function seasonalNaiveMae(history: number[]): number {
  let s = 0;
  for (let t = SEASON; t < history.length; t++) s += Math.abs(history[t] - history[t - SEASON]);
  return s / (history.length - SEASON);
}

interface HandScore {
  points: number;
  mae: number;
  rmse: number;
  smape: number;
  mase: number;
  coverage80: number;
  coverage95: number;
  bias: number;
}

/** Every metric of a forecast against the actual values that exist for its dates, written out by hand. */
function byHand(forecast: ForecastView, actual: Map<number, number>, history: number[]): HandScore {
  const pairs = forecast.points.filter((p) => actual.has(p.ts));
  const n = pairs.length;
  let abs = 0;
  let sq = 0;
  let sm = 0;
  let in80 = 0;
  let in95 = 0;
  let signed = 0;
  for (const p of pairs) {
    const a = actual.get(p.ts)!;
    abs += Math.abs(a - p.value);
    sq += (a - p.value) ** 2;
    sm += Math.abs(a - p.value) / (Math.abs(a) + Math.abs(p.value));
    if (a >= p.lo80! && a <= p.hi80!) in80++;
    if (a >= p.lo95! && a <= p.hi95!) in95++;
    signed += p.value - a;
  }
  const mae = abs / n;
  return { points: n, mae, rmse: Math.sqrt(sq / n), smape: (200 * sm) / n, mase: mae / seasonalNaiveMae(history), coverage80: in80 / n, coverage95: in95 / n, bias: signed / n };
}

function expectScore(got: Record<string, unknown>, want: HandScore): void {
  expect(got.points).toBe(want.points);
  for (const k of ["mae", "rmse", "smape", "mase", "coverage80", "coverage95", "bias"] as const) expect(got[k] as number, k).toBeCloseTo(want[k], 9);
}

const valuesUpTo = (rows: Row[], ts: number) => rows.filter(([t]) => t <= ts).map(([, v]) => v);

/** `npm run cli -- import` of the rows as a CSV, as a user runs it (it migrates an empty database first). */
function cliImport(dir: string, rows: Row[], append = false): string {
  const file = path.join(dir, "co2.csv");
  fs.writeFileSync(file, csvOf(rows));
  const r = spawnSync(process.execPath, ["scripts/run-cli.mjs", "import", file, "--name", "co2", ...(append ? ["--append"] : [])], { encoding: "utf8", env: process.env });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return r.stdout;
}

describe(`forecast versus actual on a real series, with a real worker, on ${TEST_DATABASE}`, () => {
  it("scores the stored forecasts on every upload exactly as by hand, and a retrain on new data must beat the current model", async () => {
    const t = await emptyTestDatabase();
    process.env.DATABASE_URL = t.url;
    onTestFinished(async () => {
      await closeDb();
      await t.drop();
    });
    const rows = co2Rows();
    const split = rows.findIndex(([ts]) => ts >= Date.UTC(2019, 0, 1));
    const first = rows.slice(0, split);
    const rest = rows.slice(split); // 2019-01 .. 2020-04
    const actual = new Map(rows);

    // 1. The first part (imported by the CLI into a new database), and a forecast from its end (a
    // run requested by hand: promoted).
    expect(cliImport(t.dir, first)).toMatch(/Imported dataset "co2".*\n  series (\d+)  co2: 132 points \(132 new, 0 changed\), monthly/);
    const db = t.connect();
    const seriesId = (await db.get<{ id: number }>(`SELECT "id" FROM "Series"`))!.id;
    handles.push(await spawnWorker({ TEST_ENGINE: "real" }));
    const champion = await post(seriesId, { ...TINY, seed: 3 });
    await waitFor(() => finished(db, champion.id), 90_000, "the first run");
    const championRun = await apiRun(champion.id);
    expect(championRun.status).toBe("succeeded");
    expect(championRun.isCurrent).toBe(true);
    expect(championRun.promotion).toMatchObject({ decision: "promoted", champion: null, reason: "There was no current forecast." });
    const f1 = await forecastOf(champion.id);
    const origin1 = first[first.length - 1][0];
    expect(f1.points[0].ts).toBe(Date.UTC(2019, 0, 1));

    // Before any actual arrived: listed with points 0.
    const before = await accuracy(seriesId);
    expect(before.forecasts).toEqual([{ forecastId: f1.id, runId: champion.id, origin: origin1, points: 0, mae: null, rmse: null, smape: null, mase: null, coverage80: null, coverage95: null, bias: null }]);
    expect(before.rolling).toMatchObject({ status: "unscored", last: { points: 0 } });

    // 2. Five months of actuals: the forecast is scored on those five dates.
    const u1 = await upload(rest.slice(0, 5));
    expect(u1.scored).toEqual([expect.objectContaining({ seriesId, forecasts: 1, points: 5 })]);
    const history1 = valuesUpTo(rows, origin1);
    const a1 = await accuracy(seriesId);
    const hand1 = byHand(f1, new Map(rest.slice(0, 5)), history1);
    expect(a1.forecasts).toHaveLength(1);
    expectScore(a1.forecasts[0] as unknown as Record<string, unknown>, hand1);
    // One served forecast: the rolling window and "since promotion" are that forecast's score.
    expectScore(a1.rolling.last as unknown as Record<string, unknown>, hand1);
    expectScore(a1.rolling.sincePromotion as unknown as Record<string, unknown>, hand1);
    expect(a1.rolling.last).toMatchObject({ from: Date.UTC(2019, 0, 1), to: Date.UTC(2019, 4, 1) });
    const promised = championRun.metrics!.model.mase!;
    expect(a1.rolling.promised).toMatchObject({ runId: champion.id, mase: promised });
    expect(a1.rolling.realisedVsPromised).toMatchObject({ forecasts: 1 });
    expect(a1.rolling.realisedVsPromised!.ratio).toBeCloseTo(hand1.mase / promised, 9);
    const ratio = hand1.mase / promised;
    const pct = Math.round(Math.abs(ratio - 1) * 100);
    expect(a1.rolling.summary).toContain(
      ratio >= 2
        ? `The last forecast was ${ratio.toFixed(1)} times as far off as its backtest promised`
        : ratio > 1.1
          ? `The last forecast was ${pct}% less accurate than its backtest promised`
          : ratio < 0.9
            ? `The last forecast was ${pct}% more accurate than its backtest promised`
            : "The last forecast was about as accurate as its backtest promised",
    );
    let streak = 0;
    for (const p of f1.points.filter((q) => actual.has(q.ts) && q.ts < Date.UTC(2019, 5, 1)).reverse()) {
      const a = actual.get(p.ts)!;
      if (a >= p.lo95! && a <= p.hi95!) break;
      streak++;
    }
    expect(a1.rolling.outsideStreak).toBe(streak);

    // 3. A retrain on new data (a schedule, promote "if-better" by default) on three more months.
    const sched = await createSchedule(
      new Request("http://localhost", { method: "POST", body: JSON.stringify({ onNewData: true, config: { ...TINY, seed: 5 } }) }),
      ctx(seriesId),
    );
    expect(((await sched.json()) as { schedule: { promote: string } }).schedule.promote).toBe("if-better");
    const u2 = await upload(rest.slice(0, 8));
    expect(u2.retraining).toHaveLength(1);
    const challengerId = u2.retraining[0].runId;
    await waitFor(() => finished(db, challengerId), 90_000, "the retrain");
    const challenger = await apiRun(challengerId);
    expect(challenger.status).toBe("succeeded");
    const p = challenger.promotion!;
    expect(p.metric).toBe("mase");
    expect(p.challenger.runId).toBe(challengerId);
    expect(p.champion).toMatchObject({ runId: champion.id });

    // The same window for both: the challenger's held-out dates the champion was not trained on
    // (after 2018-12), both forecasting them from the window's origin; scored by hand here.
    const holdout = challenger.metrics!.holdout!;
    const windowDates = holdout.timestamps.filter((ts) => ts > origin1);
    expect(windowDates).toEqual(rest.slice(0, 8).map(([ts]) => ts));
    expect(p.window).toEqual({ from: windowDates[0], to: windowDates[windowDates.length - 1], points: 8 });
    const windowOrigin = holdout.timestamps[0];
    const pastRows = rows.filter(([ts]) => ts < windowOrigin);
    const scale = seasonalNaiveMae(pastRows.map(([, v]) => v));
    const blob = (await db.get<{ model: Uint8Array }>(`SELECT "model" FROM "Run" WHERE "id" = ?`, [champion.id]))!.model;
    const replay = predictFromModel(loadModel(new Uint8Array(blob)), {
      name: "co2",
      frequency: "monthly",
      stepMs: null,
      timestamps: Float64Array.from(pastRows.map(([ts]) => ts)),
      values: Float64Array.from(pastRows.map(([, v]) => v)),
    });
    let championErr = 0;
    let challengerErr = 0;
    for (const ts of windowDates) {
      championErr += Math.abs(actual.get(ts)! - replay.forecast[replay.timestamps.indexOf(ts)]);
      challengerErr += Math.abs(actual.get(ts)! - holdout.model[holdout.timestamps.indexOf(ts)]);
    }
    expect(p.champion!.score!).toBeCloseTo(championErr / windowDates.length / scale, 9);
    expect(p.challenger.score!).toBeCloseTo(challengerErr / windowDates.length / scale, 9);
    const better = p.challenger.score! < p.champion!.score!;
    expect(p.decision).toBe(better ? "promoted" : "kept");
    expect(p.reason).toContain(better ? "Beat the current model" : "Did not beat the current model");
    expect(challenger.isCurrent).toBe(better);
    expect((await apiRun(champion.id)).isCurrent).toBe(!better);
    // One event per decision: the first run's promotion, then this one.
    const decisions = await db.all<{ kind: string; data: string }>(`SELECT "kind", "data" FROM "Event" WHERE "kind" IN ('forecast.promoted', 'forecast.kept') ORDER BY "id"`);
    expect(decisions.map((e) => [e.kind, (JSON.parse(e.data) as { runId: number }).runId])).toEqual([
      ["forecast.promoted", champion.id],
      [better ? "forecast.promoted" : "forecast.kept", challengerId],
    ]);

    // 4. The rest (the schedule paused first, so no third run joins in): both forecasts scored by
    // hand, the challenger from its own origin.
    await db.run(`UPDATE "Schedule" SET "enabled" = FALSE`);
    expect(cliImport(t.dir, rest, true)).toMatch(new RegExp(`series ${seriesId}: 2 forecast\\(s\\) scored on 20 actual value\\(s\\), (healthy|drifting)\\. The last 2 forecasts were`));
    const f2 = await forecastOf(challengerId);
    const a3 = await accuracy(seriesId);
    expect(a3.forecasts.map((f) => f.forecastId)).toEqual([f2.id, f1.id]);
    const origin2 = rest[7][0];
    expect(a3.forecasts[1].origin).toBe(origin1);
    expect(a3.forecasts[0].origin).toBe(origin2);
    expectScore(a3.forecasts[1] as unknown as Record<string, unknown>, byHand(f1, actual, history1));
    expectScore(a3.forecasts[0] as unknown as Record<string, unknown>, byHand(f2, actual, valuesUpTo(rows, origin2)));
    expect(a3.forecasts[1].points).toBe(12);
    expect(a3.forecasts[0].points).toBe(8); // 2019-09 .. 2020-04
    expect(a3.rolling.sincePromotion!.forecastId).toBe(better ? f2.id : f1.id);

    // 5. The same upload again changes nothing: same scores, no event twice.
    const events = await count(db, `SELECT COUNT(*) AS "n" FROM "Event"`);
    const again = await upload(rest);
    expect(again.retraining).toEqual([]); // no new points: nothing to retrain on
    expect(again.scored).toEqual([]);
    expect(await accuracy(seriesId)).toEqual(a3);
    expect(await count(db, `SELECT COUNT(*) AS "n" FROM "Event"`)).toBe(events);
  });
});
