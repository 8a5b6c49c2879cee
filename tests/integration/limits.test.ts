import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, count, databasePerTest, seedSeries } from "../helpers/database";
import { ctx } from "./helpers/api";
import type { Json } from "../unit/api/helpers";
import { POST as runRoute } from "@/app/api/series/[id]/runs/route";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import { POST as scheduleForSeries } from "@/app/api/series/[id]/schedules/route";
import { POST as scheduleRoute } from "@/app/api/schedules/route";
import { runDueSchedules } from "@/lib/schedules/fire";

/** The queue and schedule caps through the route handlers, on a real database. */
const t = databasePerTest();
let a: number;
let b: number;
const saved = { ...process.env };
beforeEach(async () => {
  a = await seedSeries(t.db, "a");
  b = await seedSeries(t.db, "b");
});
afterEach(() => {
  for (const k of ["TIDECAST_MAX_QUEUED_PER_SERIES", "TIDECAST_MAX_QUEUED_RUNS", "TIDECAST_MAX_SCHEDULES_PER_SERIES"]) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});

const post = (url: string, body: unknown) => new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
async function run(seriesId: number, epochs: number): Promise<{ status: number; body: Json }> {
  const res = await runRoute(post(`http://localhost/api/series/${seriesId}/runs`, { model: "gru", horizon: 5, epochs }), ctx(seriesId));
  return { status: res.status, body: (await res.json()) as Json };
}

describe(`the caps on queued runs and schedules on ${TEST_DATABASE}`, () => {
  it("refuses a run past the per-series limit with 429 QUEUE_FULL, an identical request still finds its run, a cancel frees a place", async () => {
    process.env.TIDECAST_MAX_QUEUED_PER_SERIES = "2";
    expect((await run(a, 2)).status).toBe(202);
    const second = await run(a, 3);
    expect(second.status).toBe(202);
    const third = await run(a, 4);
    expect(third.status).toBe(429);
    expect(third.body.error).toMatchObject({ code: "QUEUE_FULL", details: { scope: "series", limit: 2, queued: 2 } });
    expect(third.body.error.message).toContain("TIDECAST_MAX_QUEUED_PER_SERIES");
    expect((await run(a, 3)).status).toBe(200); // the identical run, not a new one
    expect((await run(b, 4)).status).toBe(202); // another series has its own places
    const cancelled = await cancelRoute(new Request(`http://localhost/api/runs/${second.body.run.id}/cancel`, { method: "POST" }), ctx(second.body.run.id));
    expect(cancelled.status).toBe(200);
    expect((await run(a, 4)).status).toBe(202);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run" WHERE "status" = 'queued'`)).toBe(3);
  });

  it("refuses a run past the server's limit, whatever the series", async () => {
    process.env.TIDECAST_MAX_QUEUED_RUNS = "3";
    expect((await run(a, 2)).status).toBe(202);
    expect((await run(a, 3)).status).toBe(202);
    expect((await run(b, 2)).status).toBe(202);
    const refused = await run(b, 3);
    expect(refused.status).toBe(429);
    expect(refused.body.error).toMatchObject({ code: "QUEUE_FULL", details: { scope: "all", limit: 3, queued: 3 } });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run"`)).toBe(3);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)).toBe(3);
  });

  it("holds the server's limit when requests for many series arrive at the same instant", async () => {
    process.env.TIDECAST_MAX_QUEUED_RUNS = "3";
    const series = [a, b];
    for (let i = 0; i < 6; i++) series.push(await seedSeries(t.db, `c${i}`));
    const answers = await Promise.all(series.map((id) => run(id, 2)));
    expect(answers.map((r) => r.status).sort()).toEqual([202, 202, 202, 429, 429, 429, 429, 429]);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run"`)).toBe(3);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)).toBe(3);
  });

  it("a due schedule skips its tick while the queue is full, and queues again once there is room", async () => {
    process.env.TIDECAST_MAX_QUEUED_PER_SERIES = "1";
    const s = await scheduleForSeries(post(`http://localhost/api/series/${a}/schedules`, { cron: "0 6 * * *", config: { epochs: 2, horizon: 5 } }), ctx(a));
    const scheduleId = ((await s.json()) as Json).schedule.id as number;
    const blocking = await run(a, 9);
    expect(blocking.status).toBe(202);
    const due = async () => t.db.run(`UPDATE "Schedule" SET "nextRunAt" = ? WHERE "id" = ?`, [new Date(Date.now() - 60_000), scheduleId]);
    await due();
    expect(await runDueSchedules(t.db)).toEqual([]);
    // The skipped tick is a missed schedule, said once with the limit that stopped it.
    const missed = await t.db.all<{ message: string }>(`SELECT "message" FROM "Event" WHERE "kind" = 'schedule.missed'`);
    expect(missed).toEqual([{ message: expect.stringMatching(/the run queue was full \(1 runs queued or running, the limit per series, TIDECAST_MAX_QUEUED_PER_SERIES\), so the tick was skipped/) }]);
    await t.db.run(`UPDATE "Run" SET "status" = 'succeeded' WHERE "id" = ?`, [blocking.body.run.id]);
    await due();
    expect(await runDueSchedules(t.db)).toEqual([{ scheduleId, runId: expect.any(Number), created: true }]);
  });

  it("refuses a schedule past the per-series limit with 409 TOO_MANY_SCHEDULES, on both schedule routes", async () => {
    process.env.TIDECAST_MAX_SCHEDULES_PER_SERIES = "2";
    const make = (body: Json) => scheduleForSeries(post(`http://localhost/api/series/${a}/schedules`, body), ctx(a));
    expect((await make({ cron: "0 6 * * *" })).status).toBe(201);
    expect((await make({ onNewData: true })).status).toBe(201);
    const third = await make({ cron: "0 7 * * *" });
    expect(third.status).toBe(409);
    expect(((await third.json()) as Json).error).toMatchObject({ code: "TOO_MANY_SCHEDULES", details: { limit: 2, schedules: 2 } });
    const viaTop = await scheduleRoute(post("http://localhost/api/schedules", { seriesId: a, cron: "0 8 * * *" }));
    expect(viaTop.status).toBe(409);
    expect((await scheduleForSeries(post(`http://localhost/api/series/${b}/schedules`, { cron: "0 6 * * *" }), ctx(b))).status).toBe(201);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Schedule" WHERE "seriesId" = ?`, [a])).toBe(2);
  });
});
