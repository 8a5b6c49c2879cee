import { afterEach, describe, expect, it } from "vitest";
import { count, databasePerTest, seedSeries } from "../helpers/database";
import { ctx } from "./helpers/api";
import { GET as getRules, PUT as putRules } from "@/app/api/series/[id]/alert-rules/route";
import { DEFAULT_RULES } from "@/lib/accuracy/rules";
import { housekeep, pruneAfterMs, pruneHistory } from "@/lib/housekeeping/prune";
import { requestRun } from "@/lib/runs/request";
import { createSchedule } from "@/lib/schedules/store";
import { runDueSchedules } from "@/lib/schedules/fire";
import { defaultPeriodic } from "@/workers/tasks";
import { isolated } from "@/lib/alerts/isolated";
import { Worker } from "@/workers/worker";

const t = databasePerTest();
const DAY = 86_400_000;
let worker: Worker | null = null;
afterEach(async () => {
  await worker?.stop();
  worker = null;
  delete process.env.TIDECAST_PRUNE_AFTER_DAYS;
});

async function job(status: string, updatedAt: Date): Promise<number> {
  return (await t.db.get<{ id: number }>(`INSERT INTO "Job" ("kind", "payload", "status", "runAt", "createdAt", "updatedAt") VALUES ('x', '{}', ?, ?, ?, ?) RETURNING "id"`, [
    status,
    updatedAt,
    updatedAt,
    updatedAt,
  ]))!.id;
}

/** A run on its `attempt`-th attempt, started at `startedAt`, with one epoch per attempt so far. */
async function runWithAttempts(seriesId: number, attempt: number, startedAt: Date): Promise<number> {
  const { id } = (await t.db.get<{ id: number }>(
    `INSERT INTO "Run" ("seriesId", "configKey", "config", "status", "attempt", "createdAt", "startedAt") VALUES (?, 'k', '{}', 'succeeded', ?, ?, ?) RETURNING "id"`,
    [seriesId, attempt, startedAt, startedAt],
  ))!;
  for (let a = 1; a <= attempt; a++) await t.db.run(`INSERT INTO "Epoch" ("runId", "attempt", "member", "epoch", "trainLoss", "ms") VALUES (?, ?, 0, 1, 1, 1)`, [id, a]);
  return id;
}

describe("housekeeping", () => {
  it("prunes succeeded jobs and dead attempts' epochs older than the age, and nothing else", async () => {
    const now = new Date();
    const old = new Date(now.getTime() - 10 * DAY);
    await job("succeeded", old);
    const newDone = await job("succeeded", now);
    const oldFailed = await job("failed", old);
    const seriesId = await seedSeries(t.db);
    const oldRun = await runWithAttempts(seriesId, 3, old);
    const newRun = await runWithAttempts(seriesId, 2, now);
    expect(await pruneHistory(t.db, new Date(now.getTime() - 7 * DAY))).toEqual({ jobs: 1, epochs: 2 });
    expect((await t.db.all<{ id: number }>(`SELECT "id" FROM "Job" ORDER BY "id"`)).map((r) => r.id)).toEqual([newDone, oldFailed]);
    expect(await t.db.all(`SELECT "runId", "attempt" FROM "Epoch" ORDER BY "runId", "attempt"`)).toEqual([
      { runId: oldRun, attempt: 3 }, // the run's curve stays
      { runId: newRun, attempt: 1 }, // too recent
      { runId: newRun, attempt: 2 },
    ]);
  });

  it("reads the age from TIDECAST_PRUNE_AFTER_DAYS (0 keeps everything), and every worker runs it", async () => {
    expect(pruneAfterMs({})).toBe(7 * DAY);
    expect(pruneAfterMs({ TIDECAST_PRUNE_AFTER_DAYS: "0.5" })).toBe(DAY / 2);
    expect(pruneAfterMs({ TIDECAST_PRUNE_AFTER_DAYS: "0" })).toBeNull();
    expect(() => pruneAfterMs({ TIDECAST_PRUNE_AFTER_DAYS: "soon" })).toThrow(/TIDECAST_PRUNE_AFTER_DAYS/);
    const id = await job("succeeded", new Date(Date.now() - 2 * DAY));
    expect(await housekeep(t.db, new Date(), { TIDECAST_PRUNE_AFTER_DAYS: "0" })).toBeNull();
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "id" = ?`, [id])).toBe(1);
    process.env.TIDECAST_PRUNE_AFTER_DAYS = "1";
    const logs: string[] = [];
    worker = new Worker({ tasks: {}, db: t.db, periodic: defaultPeriodic(), settings: { pollMs: 20, schedulerMs: 60_000 }, log: (l) => logs.push(l) });
    worker.start();
    for (let i = 0; i < 200 && (await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)).toBe(0);
    expect(logs.some((l) => l.includes("housekeeping: pruned 1 succeeded job(s)"))).toBe(true);
  });
});

describe("alert rules and missed schedules", () => {
  it("answers the defaults, stores a partial change, and refuses bad rules", async () => {
    const seriesId = await seedSeries(t.db);
    const get = async () => ((await (await getRules(new Request("http://localhost"), ctx(seriesId))).json()) as { rules: typeof DEFAULT_RULES }).rules;
    expect(await get()).toEqual(DEFAULT_RULES);
    const put = (body: unknown) => putRules(new Request("http://localhost", { method: "PUT", body: JSON.stringify(body) }), ctx(seriesId));
    const res = await put({ bandBreaks: 5, runFailed: false });
    expect(res.status).toBe(200);
    expect(await get()).toEqual({ ...DEFAULT_RULES, bandBreaks: 5, runFailed: false });
    expect((await put({ maseFactor: 2 })).status).toBe(200);
    expect(await get()).toEqual({ ...DEFAULT_RULES, bandBreaks: 5, runFailed: false, maseFactor: 2 });
    const bad = await put({ minCoverage95: 95 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { details: { field: string } } }).error.details.field).toBe("minCoverage95");
    expect((await put({ colour: "red" })).status).toBe(400);
    expect((await getRules(new Request("http://localhost"), ctx(999))).status).toBe(404);
  });

  it("alerts once when a tick runs late (no scheduler was running) or is skipped (its previous run still in flight)", async () => {
    const seriesId = await seedSeries(t.db);
    const created = new Date("2030-01-01T00:00:00Z");
    const s = (await createSchedule(t.db, seriesId, { cron: "0 * * * *", config: { epochs: 1 } }, created))!;
    // Due at 01:00, found at 03:30: it runs once, late.
    const late = new Date("2030-01-01T03:30:00Z");
    expect(await runDueSchedules(t.db, late)).toHaveLength(1);
    expect(await runDueSchedules(t.db, late)).toHaveLength(0);
    const missed = await t.db.all<{ key: string; message: string }>(`SELECT "key", "message" FROM "Event" WHERE "kind" = 'schedule.missed'`);
    expect(missed).toEqual([{ key: `schedule.missed:${s.id}:${Date.parse("2030-01-01T01:00:00Z")}`, message: expect.stringMatching(/no scheduler was running at the time; it ran 150 min late/) }]);
    // Due at 04:00 while that run is still queued: skipped, and said so.
    expect(await runDueSchedules(t.db, new Date("2030-01-01T04:00:10Z"))).toHaveLength(0);
    const skipped = await t.db.all<{ message: string }>(`SELECT "message" FROM "Event" WHERE "kind" = 'schedule.missed' ORDER BY "id"`);
    expect(skipped[1].message).toMatch(/its previous run #\d+ was still queued or running, so the tick was skipped/);
    // With the rule off, nothing is said.
    await t.db.run(`UPDATE "Run" SET "status" = 'succeeded'`);
    await putRules(new Request("http://localhost", { method: "PUT", body: JSON.stringify({ scheduleMissed: false }) }), ctx(seriesId));
    expect(await runDueSchedules(t.db, new Date("2030-01-01T09:00:00Z"))).toHaveLength(1);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Event" WHERE "kind" = 'schedule.missed'`)).toBe(2);
    expect((await requestRun(t.db, seriesId, { epochs: 1 })).kind).toBe("existing"); // the scheduled run is queued
  });
});

describe("consequences of a change", () => {
  it("roll back alone when they fail, keeping the change; a transient error still reaches the caller", async () => {
    const reports: string[] = [];
    const insert = (db: typeof t.db, kind: string) =>
      db.run(`INSERT INTO "Job" ("kind", "payload", "status", "runAt", "createdAt", "updatedAt") VALUES (?, '{}', 'queued', ?, ?, ?)`, [kind, new Date(), new Date(), new Date()]);
    await t.db.transaction(async (tx) => {
      await insert(tx, "change");
      const r = await isolated(
        tx,
        "a consequence",
        async (inner) => {
          await insert(inner, "consequence");
          throw new Error("a bug");
        },
        (line) => reports.push(line),
      );
      expect(r).toBeNull();
    });
    expect(reports).toEqual(["a consequence failed (the change it followed is kept): a bug"]);
    expect(await t.db.all(`SELECT "kind" FROM "Job" ORDER BY "id"`)).toEqual([{ kind: "change" }]);
    const busy = Object.assign(new Error("database is locked"), { code: t.db.dialect.kind === "sqlite" ? "SQLITE_BUSY" : "40001" });
    await expect(isolated(t.db, "busy", async () => Promise.reject(busy), (line) => reports.push(line))).rejects.toBe(busy);
    expect(reports).toHaveLength(1);
  });
});
