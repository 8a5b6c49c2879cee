import { beforeEach, describe, expect, it } from "vitest";
import { count, databasePerTest, seedSeries } from "../helpers/database";
import { ctx } from "./helpers/api";
import type { Json } from "../unit/api/helpers";
import { GET as listRoute, POST as createRoute } from "@/app/api/schedules/route";
import { DELETE as deleteRoute, GET as getRoute, PATCH as patchRoute } from "@/app/api/schedules/[id]/route";
import { GET as listForSeries, POST as createForSeries } from "@/app/api/series/[id]/schedules/route";
import { enqueueRetrainForNewData, runDueSchedules } from "@/lib/schedules/fire";
import { checkCron } from "@/lib/schedules/cron";
import type { ScheduleView } from "@/lib/schedules/store";

const t = databasePerTest();
let seriesId: number;
beforeEach(async () => {
  seriesId = await seedSeries(t.db);
});

const req = (method: string, body?: unknown) => new Request("http://localhost/api/schedules", { method, body: body === undefined ? undefined : JSON.stringify(body) });
const json = async (res: Response) => (await res.json()) as Json;
async function create(body: unknown): Promise<ScheduleView> {
  const res = await createForSeries(req("POST", body), ctx(seriesId));
  expect(res.status).toBe(201);
  return (await json(res)).schedule as ScheduleView;
}
const berlinHour = (iso: string) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Berlin", hour: "2-digit", hour12: false }).format(new Date(iso));

describe("schedules API", () => {
  it("creates a cron schedule with its next run and a preview of five run times in its time zone", async () => {
    const s = await create({ cron: "0 3 * * *", timezone: "Europe/Berlin", config: { model: "gru" } });
    expect(s).toMatchObject({ seriesId, cron: "0 3 * * *", timezone: "Europe/Berlin", onNewData: false, enabled: true, config: { model: "gru" }, lastRunAt: null });
    expect(s.nextRuns).toHaveLength(5);
    expect(s.nextRuns.map(berlinHour)).toEqual(["03", "03", "03", "03", "03"]);
    expect(Date.parse(s.nextRunAt!)).toBe(Date.parse(s.nextRuns[0]));
    for (let i = 1; i < 5; i++) expect(Date.parse(s.nextRuns[i])).toBeGreaterThan(Date.parse(s.nextRuns[i - 1]));
    const onlyData = await create({ onNewData: true });
    expect(onlyData).toMatchObject({ cron: null, nextRunAt: null, nextRuns: [], timezone: "UTC" });
    const all = await json(await listRoute(new Request("http://localhost/api/schedules")));
    expect(all.schedules.map((x: ScheduleView) => x.id)).toEqual([s.id, onlyData.id]);
    const mine = await json(await listForSeries(new Request("http://x"), ctx(seriesId)));
    expect(mine.schedules).toHaveLength(2);
    expect((await listForSeries(new Request("http://x"), ctx(999))).status).toBe(404);
  });

  it.each([
    [{ cron: "every day at 3" }, "INVALID_CRON", "cron", /"every day at 3" is not a valid cron expression/],
    [{ cron: "61 * * * *" }, "INVALID_CRON", "cron", /is not a valid cron expression/],
    [{ cron: "0 0 31 2 *" }, "INVALID_CRON", "cron", /never runs/],
    [{ cron: "0 3 * * *", timezone: "Mars/Olympus" }, "INVALID_TIMEZONE", "timezone", /"Mars\/Olympus" is not a known time zone/],
    [{ onNewData: true, timezone: "Nowhere" }, "INVALID_TIMEZONE", "timezone", /not a known time zone/],
    [{}, "INVALID_CRON", "cron", /needs a cron expression, onNewData: true, or both/],
    [{ cron: "0 3 * * *", every: "day" }, "INVALID_SCHEDULE", "every", /Unknown field "every"/],
    [{ cron: "0 3 * * *", config: { epochs: 0 } }, "INVALID_SCHEDULE", "config.epochs", /Epochs must be at least 1/],
  ])("answers a readable 400 for %j", async (body, code, field, message) => {
    const res = await createForSeries(req("POST", body), ctx(seriesId));
    expect(res.status).toBe(400);
    const { error } = await json(res);
    expect(error).toMatchObject({ code, details: { field } });
    expect(error.message).toMatch(message);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Schedule"`)).toBe(0);
  });

  it("POST /api/schedules takes the series in the body; PATCH recomputes the next run; DELETE removes it", async () => {
    const res = await createRoute(req("POST", { seriesId, cron: "*/15 * * * *" }));
    expect(res.status).toBe(201);
    const s = (await json(res)).schedule as ScheduleView;
    expect((await createRoute(req("POST", { seriesId: 999, cron: "*/15 * * * *" }))).status).toBe(404);
    expect((await json(await createRoute(req("POST", { cron: "*/15 * * * *" })))).error.details.field).toBe("seriesId");

    const patched = await patchRoute(req("PATCH", { cron: "30 6 * * 1", timezone: "America/New_York" }), ctx(s.id));
    expect(patched.status).toBe(200);
    const p = (await json(patched)).schedule as ScheduleView;
    const ny = new Intl.DateTimeFormat("en-US", { timeZone: "America/New_York", weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false });
    expect(p.nextRuns.map((d) => ny.format(new Date(d)))).toEqual(Array(5).fill("Mon 06:30"));
    expect(p.nextRunAt).not.toBe(s.nextRunAt);
    const bad = await patchRoute(req("PATCH", { timezone: "Atlantis/Capital" }), ctx(s.id));
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.code).toBe("INVALID_TIMEZONE");
    // A config edit keeps the pending tick.
    const cfg = (await json(await patchRoute(req("PATCH", { config: { epochs: 7 } }), ctx(s.id)))).schedule as ScheduleView;
    expect(cfg).toMatchObject({ nextRunAt: p.nextRunAt, config: { epochs: 7 } });
    expect((await patchRoute(req("PATCH", {}), ctx(4040))).status).toBe(404);

    expect((await deleteRoute(req("DELETE"), ctx(s.id))).status).toBe(204);
    expect((await getRoute(req("GET"), ctx(s.id))).status).toBe(404);
    expect((await deleteRoute(req("DELETE"), ctx(s.id))).status).toBe(404);
  });
});

describe("the scheduler", () => {
  const runs = (scheduleId: number) => t.db.all<{ id: number; status: string }>(`SELECT "id", "status" FROM "Run" WHERE "scheduleId" = ? ORDER BY "id"`, [scheduleId]);

  it("fires a missed schedule once, moves nextRunAt past now, and skips ticks while its run is in flight", async () => {
    const s = await create({ cron: "0 * * * *", config: { epochs: 4 } });
    const now = new Date();
    const db = t.db;
    await db.run(`UPDATE "Schedule" SET "nextRunAt" = ? WHERE "id" = ?`, [new Date(now.getTime() - 5 * 3_600_000), s.id]);
    const fired = await runDueSchedules(db, now);
    expect(fired).toEqual([{ scheduleId: s.id, runId: (await runs(s.id))[0].id, created: true }]);
    expect(await runDueSchedules(db, now)).toEqual([]); // five missed hours, one run
    const row = (await db.get<{ nextRunAt: Date; lastRunAt: Date; lastRunId: number }>(`SELECT "nextRunAt", "lastRunAt", "lastRunId" FROM "Schedule" WHERE "id" = ?`, [s.id]))!;
    expect(row.nextRunAt.getTime()).toBeGreaterThan(now.getTime());
    expect(row.nextRunAt.getUTCMinutes()).toBe(0);
    expect(row).toMatchObject({ lastRunAt: now, lastRunId: fired[0].runId });

    // An hour later the first run is still queued: the tick is skipped, not stacked.
    const later = new Date(row.nextRunAt.getTime() + 1000);
    expect(await runDueSchedules(db, later)).toEqual([]);
    expect(await runs(s.id)).toHaveLength(1);
    expect((await db.get<{ nextRunAt: Date }>(`SELECT "nextRunAt" FROM "Schedule" WHERE "id" = ?`, [s.id]))!.nextRunAt.getTime()).toBeGreaterThan(later.getTime());

    // Once it finished, the next due tick queues a new run.
    await db.run(`UPDATE "Run" SET "status" = 'succeeded' WHERE "scheduleId" = ?`, [s.id]);
    const evenLater = new Date(later.getTime() + 3_600_000);
    expect(await runDueSchedules(db, evenLater)).toHaveLength(1);
    expect(await runs(s.id)).toHaveLength(2);
    const view = (await json(await getRoute(req("GET"), ctx(s.id)))).schedule as ScheduleView;
    expect(view.lastRunStatus).toBe("queued");
  });

  it("ignores disabled schedules", async () => {
    const s = await create({ cron: "*/5 * * * *", enabled: false });
    expect(s.nextRunAt).toBeNull();
    expect(await runDueSchedules(t.db, new Date(Date.now() + 3_600_000))).toEqual([]);
  });

  it("retrains on new data once per onNewData schedule, never twice in flight", async () => {
    const data = await create({ onNewData: true, config: { epochs: 2 } });
    await create({ cron: "0 3 * * *" }); // cron only: not triggered by data
    await create({ onNewData: true, enabled: false });
    const other = await seedSeries(t.db, "other");
    const first = await enqueueRetrainForNewData(t.db, [seriesId, other]);
    expect(first).toEqual([{ scheduleId: data.id, runId: (await runs(data.id))[0].id, created: true }]);
    expect(await enqueueRetrainForNewData(t.db, [seriesId])).toEqual([]);
    expect(await runs(data.id)).toHaveLength(1);
    expect(await enqueueRetrainForNewData(t.db, [])).toEqual([]);
  });

  it("checks cron and time zone separately", () => {
    expect(checkCron("*/5 * * * * *", "Asia/Tokyo")).toEqual({ ok: true });
    expect(checkCron("* * *", "UTC")).toMatchObject({ ok: false, field: "cron" });
    expect(checkCron("* * * * *", "Asia/Nowhere")).toMatchObject({ ok: false, field: "timezone" });
  });

  it("fires a due tick exactly once when many schedulers run at the same moment (separate connections)", async () => {
    const s = await create({ cron: "*/5 * * * *", config: { epochs: 2 } });
    const now = new Date();
    await t.db.run(`UPDATE "Schedule" SET "nextRunAt" = ? WHERE "id" = ?`, [new Date(now.getTime() - 60_000), s.id]);
    const schedulers = Array.from({ length: 6 }, () => t.current.connect());
    const fired = (await Promise.all(schedulers.map((c) => runDueSchedules(c, now)))).flat();
    expect(fired).toHaveLength(1);
    expect(await runs(s.id)).toHaveLength(1);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)).toBe(1);
  });
});
