import { afterEach, describe, expect, it } from "vitest";
import { openDb, seedSeries, useTempDatabase } from "./helpers/db";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { ctx } from "./helpers/api";
import { POST as createForSeries } from "../../app/api/series/[id]/schedules/route";
import { PATCH as patchSchedule } from "../../app/api/schedules/[id]/route";
import { toDbDate } from "../../lib/db/dates";
import type { ScheduleView } from "../../lib/db/schedules";
import type Database from "better-sqlite3";

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

const runsOf = (db: Database.Database, scheduleId: number) =>
  db.prepare(`SELECT "id", "status", "createdAt", "finishedAt" FROM "Run" WHERE "scheduleId" = ? ORDER BY "id"`).all(scheduleId) as {
    id: number;
    status: string;
    createdAt: string;
    finishedAt: string | null;
  }[];

describe("the scheduler in the worker", () => {
  it("runs a schedule that fell due while no worker ran exactly once, then waits for its next tick", async () => {
    const { file } = useTempDatabase();
    const db = openDb(file);
    const seriesId = seedSeries(db);
    const schedule = await create(seriesId, { cron: "*/10 * * * *", timezone: "Europe/Berlin", config: { epochs: 3, horizon: 5 } });
    // Downtime: the schedule's next run was 35 minutes ago, so three ticks were missed.
    db.prepare(`UPDATE "Schedule" SET "nextRunAt" = ? WHERE "id" = ?`).run(toDbDate(new Date(Date.now() - 35 * 60_000)), schedule.id);

    const worker = await spawnWorker({ FAKE_EPOCH_MS: "5" });
    handles.push(worker);
    await waitFor(() => runsOf(db, schedule.id).find((r) => r.status === "succeeded"), 20_000, "the scheduled run");
    // Let the scheduler tick many more times (every 200 ms): the missed ticks must not add runs.
    await new Promise((r) => setTimeout(r, 1500));
    expect(runsOf(db, schedule.id)).toHaveLength(1);
    const row = db.prepare(`SELECT "nextRunAt", "lastRunAt", "lastRunId" FROM "Schedule" WHERE "id" = ?`).get(schedule.id) as {
      nextRunAt: string;
      lastRunAt: string;
      lastRunId: number;
    };
    expect(row.lastRunId).toBe(runsOf(db, schedule.id)[0].id);
    expect(Date.parse(row.nextRunAt)).toBeGreaterThan(Date.now());
    expect(new Date(row.nextRunAt).getUTCMinutes() % 10).toBe(0);
    expect(Date.parse(row.lastRunAt)).toBeLessThanOrEqual(Date.now());
    expect(worker.output()).toContain(`schedule ${schedule.id}: queued run`);
    db.close();
  });

  it("never has two runs of one schedule in flight, even when it is due every second", async () => {
    const { file } = useTempDatabase();
    const db = openDb(file);
    const seriesId = seedSeries(db);
    // The API refuses crons closer than TIDECAST_MIN_CRON_MINUTES (and seconds fields); the
    // scheduler itself must stay safe under any cron, so the row is given one due every second.
    const schedule = await create(seriesId, { cron: "*/5 * * * *", config: { epochs: 25, horizon: 5 } });
    db.prepare(`UPDATE "Schedule" SET "cron" = '* * * * * *', "nextRunAt" = ? WHERE "id" = ?`).run(toDbDate(new Date()), schedule.id);
    handles.push(await spawnWorker({ FAKE_EPOCH_MS: "60", TIDECAST_WORKER_CONCURRENCY: "2" }));
    const deadline = Date.now() + 6000;
    let maxInFlight = 0;
    while (Date.now() < deadline) {
      const inFlight = runsOf(db, schedule.id).filter((r) => r.status === "queued" || r.status === "running").length;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 25));
    }
    const res = await patchSchedule(new Request(`http://localhost/api/schedules/${schedule.id}`, { method: "PATCH", body: JSON.stringify({ enabled: false }) }), ctx(schedule.id));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { schedule: ScheduleView }).schedule).toMatchObject({ enabled: false, nextRunAt: null, nextRuns: [] });

    const runs = runsOf(db, schedule.id);
    expect(maxInFlight).toBe(1);
    expect(runs.length).toBeGreaterThanOrEqual(2); // it did fire again once the previous run finished
    for (let i = 1; i < runs.length; i++) expect(runs[i].createdAt >= runs[i - 1].finishedAt!).toBe(true);
    db.close();
  });
});
