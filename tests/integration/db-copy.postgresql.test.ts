import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { emptyTestDatabase } from "../helpers/database";
import { migrateDeploy } from "../../lib/db/migrate";
import { importCsv } from "../../lib/datasets/upload";
import { claimJob } from "../../lib/queue/claim";
import { enqueueJob } from "../../lib/queue/enqueue";
import { finishJob } from "../../lib/queue/finish";
import { leaseOf } from "../../lib/queue/types";
import { recordEpoch, startRunAttempt } from "../../lib/runs/lifecycle";
import { requestRun } from "../../lib/runs/request";
import { writeRunResult } from "../../lib/runs/result";
import { createSchedule } from "../../lib/schedules/store";
import { updateAlertRules } from "../../lib/alerts/rules";
import { alertRunFailed } from "../../lib/alerts/fire";
import { makeCurrentByHand } from "../../lib/promotion/manual";
import { createWebhook } from "../../lib/webhooks/store";

// `npm run cli -- db copy --to postgresql://…` as a user runs it: a SQLite database filled through
// the app's own paths, copied by the CLI process into an empty PostgreSQL database.
// The source is migrated as `npm start` migrates a real one (recorded in _prisma_migrations).
const source = await emptyTestDatabase("sqlite");
const migrated = await migrateDeploy(process.cwd(), { ...process.env, DATABASE_URL: source.url });
if (!migrated.ok) throw new Error(migrated.output);
const target = await emptyTestDatabase("postgresql");
afterAll(async () => {
  await source.drop();
  await target.drop();
});

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["scripts/run-cli.mjs", ...args], { encoding: "utf8", env: { ...process.env, DATABASE_URL: source.url } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const TABLES = ["Dataset", "Series", "Point", "Run", "Epoch", "Forecast", "ForecastPoint", "Job", "Schedule"];
// Issue 11's tables, filled through their own paths: a promotion by hand (with its event and the
// scores it triggers), alert rules, a webhook and the deliveries of its events.
const SCORING_TABLES = ["Promotion", "ForecastScore", "SeriesScore", "AlertRule", "Event", "Webhook", "WebhookDelivery"];
const blob = new Uint8Array(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));

describe("db copy --to postgresql://…", () => {
  it("copies every table in one go, ids, dates, booleans, model blobs and all, and checks the counts", async () => {
    const db = source.connect();
    const stocks = fs.readFileSync(path.join(process.cwd(), "node_modules", "vega-datasets", "data", "stocks.csv"));
    const imported = await importCsv(db, new Uint8Array(stocks), "stocks.csv");
    const seriesId = imported.series[0].id;
    const requested = await requestRun(db, seriesId, { model: "gru", epochs: 3, horizon: 2 });
    if (requested.kind !== "created") throw new Error("no run");
    const lease = leaseOf((await claimJob(db, "w", ["train"], 60_000))!);
    const run = (await startRunAttempt(db, requested.run.id))!;
    for (let e = 1; e <= 3; e++) await recordEpoch(db, run.id, run.attempt, { member: 1, members: 1, epoch: e, epochs: 3, trainLoss: 1 / e, valLoss: null, ms: 5 });
    // A public address needs no DNS lookup and passes the SSRF check; nothing is delivered here.
    await createWebhook(db, { url: "https://93.184.215.14/tidecast", secret: "db copy secret" });
    await db.transaction(async (tx) => {
      await finishJob(tx, lease);
      await writeRunResult(tx, run.id, run.attempt, {
        config: JSON.parse(run.config),
        chosen: { model: "gru", strategy: "recursive", lookback: 4, members: 1, bestEpoch: 2, epochsRun: 3 },
        timestamps: [Date.UTC(2010, 3, 1), Date.UTC(2010, 4, 1)],
        forecast: [30.5, 31],
        intervals: [{ level: 80, lo: [29, 29.5], hi: [32, 32.5] }],
        holdout: {},
        metrics: { model: { mae: 1 } },
        modelBlob: blob,
      }, { makeCurrent: false });
    });
    expect((await makeCurrentByHand(db, run.id)).kind).toBe("ok");
    await updateAlertRules(db, seriesId, { bandBreaks: 5, scheduleMissed: false });
    expect(await alertRunFailed(db, run.id, "an earlier attempt failed")).not.toBeNull();
    await createSchedule(db, seriesId, { cron: "0 3 * * *", timezone: "Europe/Berlin", config: { epochs: 4 } });
    await createSchedule(db, seriesId, { onNewData: true, enabled: false });
    await enqueueJob(db, "other", { x: 1 }, { runAt: new Date("2030-01-01T00:00:00.000Z") });
    const counts = async (d: typeof db) => Object.fromEntries(await Promise.all([...TABLES, ...SCORING_TABLES].map(async (t) => [t, (await d.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "${t}"`))!.n])));
    const before = await counts(db);
    expect(before.Point).toBe(560);
    for (const t of SCORING_TABLES) expect(before[t], t).toBeGreaterThan(0);
    expect(before.WebhookDelivery).toBe(2); // forecast.promoted and run.failed

    const copied = cli("db", "copy", "--to", target.url);
    expect(copied.stderr).toContain("Point: 560 rows");
    expect(copied.code).toBe(0);
    expect(copied.stdout).toMatch(/every table's count matches/);

    const pg = target.connect();
    expect(await counts(pg)).toEqual(before);
    const row = async (d: typeof db, sql: string) => d.get<Record<string, unknown>>(sql);
    for (const sql of [
      `SELECT "id", "name", "createdAt", "updatedAt", "rowCount" FROM "Dataset"`,
      `SELECT "id", "status", "attempt", "model", "metrics", "createdAt", "startedAt", "finishedAt", "cancelRequested", "jobId" FROM "Run"`,
      `SELECT "id", "cron", "timezone", "onNewData", "enabled", "nextRunAt", "config" FROM "Schedule" ORDER BY "id" DESC LIMIT 1`,
      `SELECT "id", "kind", "status", "runAt", "lockedBy", "attempts" FROM "Job" ORDER BY "id" DESC LIMIT 1`,
      `SELECT SUM("ts") AS "ts", SUM("value") AS "value", COUNT("value") AS "values" FROM "Point"`,
      `SELECT "forecastId", "step", "ts", "value", "lo80", "hi95" FROM "ForecastPoint" ORDER BY "step" DESC LIMIT 1`,
      `SELECT "id", "seriesId", "runId", "championRunId", "decision", "metric", "windowPoints", "reason", "createdAt" FROM "Promotion"`,
      `SELECT "forecastId", "seriesId", "runId", "points", "mase", "promisedMase", "served", "updatedAt" FROM "ForecastScore"`,
      `SELECT "seriesId", "window", "points", "outsideStreak", "drifting", "summary", "rolling", "updatedAt" FROM "SeriesScore"`,
      `SELECT "seriesId", "window", "bandBreaks", "maseFactor", "minCoverage95", "runFailed", "scheduleMissed", "updatedAt" FROM "AlertRule"`,
      `SELECT "id", "kind", "seriesId", "key", "severity", "message", "data", "at", "acknowledgedAt" FROM "Event" ORDER BY "id" DESC LIMIT 1`,
      `SELECT "id", "url", "events", "secret", "createdAt" FROM "Webhook"`,
      `SELECT "id", "webhookId", "eventId", "status", "attempts", "deliveredAt", "createdAt" FROM "WebhookDelivery" ORDER BY "id" DESC LIMIT 1`,
    ]) {
      expect(await row(pg, sql), sql).toEqual(await row(db, sql));
    }
    expect(new Uint8Array((await row(pg, `SELECT "model" FROM "Run"`))!.model as Buffer)).toEqual(blob);
    // The serial sequences continue after the copied ids.
    const next = await pg.get<{ id: number }>(`INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "updatedAt") VALUES ('new', 'n.csv', 'x', 'long', 0, ?) RETURNING "id"`, [
      new Date(),
    ]);
    expect(next!.id).toBe(imported.dataset.id + 1);
    await pg.run(`DELETE FROM "Dataset" WHERE "name" = 'new'`);
    const event = await pg.get<{ id: number }>(`INSERT INTO "Event" ("kind", "key", "severity", "message", "data", "at") VALUES ('run.failed', 'copy-test', 'alert', 'm', '{}', ?) RETURNING "id"`, [
      new Date(),
    ]);
    expect(event!.id).toBe(before.Event + 1);
    await pg.run(`DELETE FROM "Event" WHERE "key" = 'copy-test'`);

    // A second copy into the now filled database is refused, and changes nothing.
    const again = cli("db", "copy", "--to", target.url);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/The target is not empty: table "\w+" has rows/);
    expect(await counts(pg)).toEqual(before);
  });

  it("refuses a target that is not PostgreSQL, with the usage", () => {
    const r = cli("db", "copy", "--to", "file:/tmp/elsewhere.db");
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--to must be a PostgreSQL URL");
    expect(cli("db", "copy").stderr).toContain("--to is required");
  });
});
