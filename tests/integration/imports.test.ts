import { describe, expect, it } from "vitest";
import { TEST_DATABASE, count, databasePerTest } from "../helpers/database";
import { importUpload } from "@/lib/imports/import";
import { importInThread } from "@/lib/imports/offload";
import { ImportRefusal } from "@/lib/datasets/import";
import fs from "node:fs";
import path from "node:path";

const t = databasePerTest();
const enc = new TextEncoder();
const daily = (name: string, from: number, n: number, value: (i: number) => number = (i) => i) =>
  enc.encode(
    `date,${name}\n` + Array.from({ length: n }, (_, i) => `${new Date(Date.UTC(2024, 0, 1 + from + i)).toISOString().slice(0, 10)},${value(from + i)}`).join("\n") + "\n",
  );

async function onNewDataSchedule(seriesId: number, config = "{}"): Promise<number> {
  const now = new Date();
  return (await t.db.get<{ id: number }>(
    `INSERT INTO "Schedule" ("seriesId", "cron", "timezone", "onNewData", "config", "enabled", "createdAt", "updatedAt") VALUES (?, NULL, 'UTC', TRUE, ?, TRUE, ?, ?) RETURNING "id"`,
    [seriesId, config, now, now],
  ))!.id;
}

describe(`an upload, start to end, on ${TEST_DATABASE}`, () => {
  it("queues the on-new-data retraining in the import's own transaction", async () => {
    const first = await importUpload(t.db, daily("sales", 0, 40), { fileName: "sales.csv" });
    const scheduleId = await onNewDataSchedule(first.series[0].id, JSON.stringify({ epochs: 2, horizon: 3 }));
    const more = await importUpload(t.db, daily("sales", 30, 20), { fileName: "sales.csv", name: "sales", mode: "append" });
    expect(more.series[0]).toMatchObject({ inserted: 10, updated: 0, pointCount: 50 });
    expect(more.retraining).toEqual([{ scheduleId, runId: expect.any(Number), created: true }]);
    const run = await t.db.get<{ scheduleId: number; status: string }>(`SELECT "scheduleId", "status" FROM "Run" WHERE "id" = ?`, [more.retraining[0].runId]);
    expect(run).toEqual({ scheduleId, status: "queued" });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Job"`)).toBe(1);
  });

  it("stores nothing when queueing the retraining fails: the upload and its runs commit together", async () => {
    const first = await importUpload(t.db, daily("sales", 0, 40), { fileName: "sales.csv" });
    await onNewDataSchedule(first.series[0].id, "{ not json"); // a schedule whose run cannot be queued
    const before = await t.db.values(`SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "ts"`);
    await expect(importUpload(t.db, daily("sales", 30, 20, (i) => 100 + i), { fileName: "sales.csv", name: "sales", mode: "append" })).rejects.toThrow(SyntaxError);
    expect(await t.db.values(`SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "ts"`)).toEqual(before);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run"`)).toBe(0);
    const series = await t.db.get<{ pointCount: number }>(`SELECT "pointCount" FROM "Series" WHERE "id" = ?`, [first.series[0].id]);
    expect(series!.pointCount).toBe(40);
  });

  it("a dry run queues nothing and leaves the database as it was", async () => {
    const first = await importUpload(t.db, daily("sales", 0, 40), { fileName: "sales.csv" });
    await onNewDataSchedule(first.series[0].id);
    const preview = await importUpload(t.db, daily("sales", 30, 20, (i) => (i < 35 ? i + 0.5 : i)), { fileName: "sales.csv", name: "sales", mode: "append", dryRun: true });
    // Days 30..34 change (+0.5), 35..39 stay, 40..49 are new.
    expect(preview).toMatchObject({ dryRun: true, created: false, retraining: [] });
    expect(preview.series[0]).toMatchObject({ inserted: 10, updated: 5, pointCount: 50 });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point"`)).toBe(40);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Run"`)).toBe(0);
  });

  it("two uploads of one name at once, from two connections, get two names", async () => {
    const [a, b] = await Promise.all([
      importUpload(t.current.connect(), daily("sales", 0, 10), { fileName: "export.csv" }),
      importUpload(t.current.connect(), daily("visits", 0, 10), { fileName: "export.csv" }),
    ]);
    expect([a.dataset.name, b.dataset.name].sort()).toEqual(["export", "export (2)"]);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Dataset"`)).toBe(2);
  });

  it("the import thread answers as importUpload does, and refusals cross it as ImportRefusal", async () => {
    const file = path.join(t.current.dir, "upload.csv");
    fs.writeFileSync(file, daily("sales", 0, 30));
    const stored = await importInThread(file, { fileName: "sales.csv" });
    expect(stored).toMatchObject({ created: true, dryRun: false, dataset: { name: "sales" }, series: [{ name: "sales", pointCount: 30, inserted: 30 }] });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point"`)).toBe(30);
    const refused = await importInThread(file, { fileName: "sales.csv", name: "missing", mode: "append" }).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(ImportRefusal);
    expect(refused).toMatchObject({ status: 404, code: "DATASET_NOT_FOUND" });
    fs.writeFileSync(file, "date,sales\n2024-01-01,1\n2024-01-02,1e999\n2024-01-03,3\n");
    const bad = await importInThread(file, { fileName: "bad.csv" }).catch((err: unknown) => err);
    expect(bad).toMatchObject({ status: 422, code: "BAD_NUMBER", details: { row: 3, column: "sales" } });
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Dataset"`)).toBe(1);
  });
});
