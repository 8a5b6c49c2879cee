import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { ctx } from "./helpers/api";
import { POST as createForSeries } from "../../app/api/series/[id]/schedules/route";
import { PATCH as patchSchedule } from "../../app/api/schedules/[id]/route";
import type { Db } from "../../lib/db/types";
import type { ScheduleView } from "../../lib/schedules/store";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

async function create(seriesId: number, body: unknown): Promise<ScheduleView> {
  const res = await createForSeries(new Request(`http://localhost/api/series/${seriesId}/schedules`, { method: "POST", body: JSON.stringify(body) }), ctx(seriesId));
  expect(res.status).toBe(201);
  return ((await res.json()) as { schedule: ScheduleView }).schedule;
}

const runsOf = (db: Db, scheduleId: number) =>
  db.all<{ id: number; status: string; createdAt: Date; finishedAt: Date | null }>(
    `SELECT "id", "status", "createdAt", "finishedAt" FROM "Run" WHERE "scheduleId" = ? ORDER BY "id"`,
    [scheduleId],
  );

describe(`the scheduler in the worker on ${TEST_DATABASE}`, () => {
  it("runs a schedule that fell due while no worker ran exactly once, then waits for its next tick", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db);
    const schedule = await create(seriesId, { cron: "*/10 * * * *", timezone: "Europe/Berlin", config: { epochs: 3, horizon: 5 } });
    // Downtime: the schedule's next run was 35 minutes ago, so three ticks were missed.
    await db.run(`UPDATE "Schedule" SET "nextRunAt" = ? WHERE "id" = ?`, [new Date(Date.now() - 35 * 60_000), schedule.id]);

    const worker = await spawnWorker({ FAKE_EPOCH_MS: "5" });
    handles.push(worker);
    await waitFor(async () => (await runsOf(db, schedule.id)).find((r) => r.status === "succeeded"), 20_000, "the scheduled run");
    // Let the scheduler tick many more times (every 200 ms): the missed ticks must not add runs.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await runsOf(db, schedule.id)).toHaveLength(1);
    const row = (await db.get<{ nextRunAt: Date; lastRunAt: Date; lastRunId: number }>(`SELECT "nextRunAt", "lastRunAt", "lastRunId" FROM "Schedule" WHERE "id" = ?`, [
      schedule.id,
    ]))!;
    expect(row.lastRunId).toBe((await runsOf(db, schedule.id))[0].id);
    expect(row.nextRunAt.getTime()).toBeGreaterThan(Date.now());
    expect(row.nextRunAt.getUTCMinutes() % 10).toBe(0);
    expect(row.lastRunAt.getTime()).toBeLessThanOrEqual(Date.now());
    expect(worker.output()).toContain(`schedule ${schedule.id}: queued run`);
  });

  it("never has two runs of one schedule in flight, even when it is due every second and three workers run the scheduler", async () => {
    const t = await useDatabase();
    const db = t.connect();
    const seriesId = await seedSeries(db);
    // The API refuses crons closer than TIDECAST_MIN_CRON_MINUTES (and seconds fields); the
    // scheduler itself must stay safe under any cron, so the row is given one due every second.
    const schedule = await create(seriesId, { cron: "*/5 * * * *", config: { epochs: 25, horizon: 5 } });
    await db.run(`UPDATE "Schedule" SET "cron" = '* * * * * *', "nextRunAt" = ? WHERE "id" = ?`, [new Date(), schedule.id]);
    const env = { FAKE_EPOCH_MS: "60", TIDECAST_WORKER_CONCURRENCY: "2", TIDECAST_SCHEDULER_MS: "100" };
    handles.push(...(await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)])));
    const deadline = Date.now() + 6000;
    let maxInFlight = 0;
    while (Date.now() < deadline) {
      const inFlight = (await runsOf(db, schedule.id)).filter((r) => r.status === "queued" || r.status === "running").length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 25));
    }
    const res = await patchSchedule(new Request(`http://localhost/api/schedules/${schedule.id}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) }), ctx(schedule.id));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { schedule: ScheduleView }).schedule).toMatchObject({ enabled: false, nextRunAt: null, nextRuns: [] });

    const runs = await runsOf(db, schedule.id);
    expect(maxInFlight).toBe(1);
    expect(runs.length).toBeGreaterThanOrEqual(2); // it did fire again once the previous run finished
    for (let i = 1; i < runs.length; i++) expect(runs[i].createdAt.getTime()).toBeGreaterThanOrEqual(runs[i - 1].finishedAt!.getTime());
  });
});
