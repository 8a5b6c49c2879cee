import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, count, databasePerTest, emptyTestDatabase, type TestDatabase } from "../helpers/database";
import { datasetIdByName, deleteDataset } from "@/lib/datasets/datasets";
import { storeDataset } from "@/lib/datasets/import";
import { parseUpload } from "@/lib/datasets/upload";
import { importUpload } from "@/lib/imports/import";
import { migrationNames } from "@/lib/db/migrate";
import type { Db } from "@/lib/db/types";

// "Point" has no foreign key to "Series" (a per-row check made PostgreSQL imports slow; see the
// Point model in prisma/schema.prisma): the app keeps points whole itself. These tests hold it
// to that: no point outlives its series, whatever deletes or fails.

const t = databasePerTest();
const enc = new TextEncoder();
const DAY = 86_400_000;

/**
 * A wide daily file of `n` rows from day `from`, one value column per name. 1,500 rows × 2
 * columns are 3,000 points: past the few-rows INSERT, so PostgreSQL takes its COPY paths.
 */
function wide(names: string[], from: number, n: number, value: (col: number, day: number) => number = (c, d) => 100 * c + d): Uint8Array {
  const lines = [`date,${names.join(",")}`];
  for (let i = 0; i < n; i++) {
    const day = from + i;
    lines.push(`${new Date(Date.UTC(2020, 0, 1) + day * DAY).toISOString().slice(0, 10)},${names.map((_, c) => value(c, day)).join(",")}`);
  }
  return enc.encode(lines.join("\n") + "\n");
}

const orphans = (db: Db) => count(db, `SELECT COUNT(*) AS "n" FROM "Point" WHERE "seriesId" NOT IN (SELECT "id" FROM "Series")`);
const points = (db: Db) => count(db, `SELECT COUNT(*) AS "n" FROM "Point"`);
const allPoints = (db: Db) => db.values(`SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "seriesId", "ts"`);

async function onNewDataSchedule(db: Db, seriesId: number, config: string): Promise<void> {
  const now = new Date();
  await db.run(`INSERT INTO "Schedule" ("seriesId", "cron", "timezone", "onNewData", "config", "enabled", "createdAt", "updatedAt") VALUES (?, NULL, 'UTC', TRUE, ?, TRUE, ?, ?)`, [
    seriesId,
    config,
    now,
    now,
  ]);
}

/** A promise's state without waiting for it. */
function watch<T>(p: Promise<T>): { settled: () => boolean; promise: Promise<T> } {
  let done = false;
  const promise = p.finally(() => (done = true));
  promise.catch(() => undefined);
  return { settled: () => done, promise };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe(`points without a foreign key, on ${TEST_DATABASE}`, () => {
  it("deleting a dataset deletes its series' points, and only theirs", async () => {
    const a = await importUpload(t.db, wide(["x", "y"], 0, 1500), { fileName: "a.csv" });
    await importUpload(t.db, wide(["x", "y", "z"], 1000, 1500), { fileName: "a.csv", name: "a", mode: "append" }); // 500 overlap, 1000 new days, a new series z
    const b = await importUpload(t.db, wide(["x"], 0, 40), { fileName: "b.csv" });
    // a: x and y over days 0..2499, z over 1000..2499; b: x over 0..39.
    expect(await points(t.db)).toBe(2 * 2500 + 1500 + 40);

    expect(await deleteDataset(t.db, a.dataset.id)).toBe(true);
    expect(await points(t.db)).toBe(40);
    expect(await orphans(t.db)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Point" WHERE "seriesId" = ?`, [b.series[0].id])).toBe(40);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Series"`)).toBe(1);

    expect(await deleteDataset(t.db, a.dataset.id)).toBe(false); // already gone
    expect(await deleteDataset(t.db, b.dataset.id)).toBe(true);
    expect(await points(t.db)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Series"`)).toBe(0);
  });

  it("a deletion inside a transaction that fails deletes nothing", async () => {
    const a = await importUpload(t.db, wide(["x", "y"], 0, 1500), { fileName: "a.csv" });
    const before = await allPoints(t.db);
    await expect(
      t.db.transaction(async (tx) => {
        await deleteDataset(tx, a.dataset.id);
        throw new Error("the caller fails after deleting");
      }),
    ).rejects.toThrow("the caller fails");
    expect(await allPoints(t.db)).toEqual(before);
    expect(before.length).toBe(3000);
  });

  it("a failed import leaves no point behind: new series, merged series and a new dataset", async () => {
    const a = await importUpload(t.db, wide(["x"], 0, 1500), { fileName: "a.csv" });
    const before = await allPoints(t.db);
    const seriesBefore = await count(t.db, `SELECT COUNT(*) AS "n" FROM "Series"`);

    // An append that upserts x (1,000 changed, 1,000 new) and creates y, then fails queueing x's retraining.
    await onNewDataSchedule(t.db, a.series[0].id, "{ not json");
    await expect(importUpload(t.db, wide(["x", "y"], 500, 2000, (c, d) => -d - c), { fileName: "a.csv", name: "a", mode: "append" })).rejects.toThrow(SyntaxError);

    // A dry run of a new dataset: stored, counted, rolled back.
    const preview = await importUpload(t.db, wide(["p", "q"], 0, 1500), { fileName: "c.csv", dryRun: true });
    expect(preview.series.map((s) => s.inserted)).toEqual([1500, 1500]);

    // A new dataset whose caller fails after storing it (the points went in with COPY on PostgreSQL).
    const parsed = parseUpload(wide(["u", "v"], 0, 1500), "d.csv");
    await expect(
      t.db.transaction(async (tx) => {
        await storeDataset(tx, parsed.dataset, { fileName: "d.csv", contentHash: parsed.contentHash });
        expect(await points(tx)).toBe(1500 + 3000);
        throw new Error("the caller fails after storing");
      }),
    ).rejects.toThrow("the caller fails");

    expect(await allPoints(t.db)).toEqual(before);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Series"`)).toBe(seriesBefore);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Dataset"`)).toBe(1);
    expect(await orphans(t.db)).toBe(0);
  });

  it("an append racing a deletion: committed first, its points are deleted too", async () => {
    const a = await importUpload(t.db, wide(["x"], 0, 1500), { fileName: "a.csv" });
    const appender = t.current.connect();
    const deleter = t.current.connect();
    const parsed = parseUpload(wide(["x", "y"], 1000, 1500), "a.csv");
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let stored!: () => void;
    const storedYet = new Promise<void>((resolve) => (stored = resolve));
    // The append stores its points and keeps its transaction open until released.
    const append = watch(
      appender.transaction(async (tx) => {
        await storeDataset(tx, parsed.dataset, { fileName: "a.csv", contentHash: parsed.contentHash, name: "a", mode: "append" });
        stored();
        await held;
      }),
    );
    await storedYet;
    const deletion = watch(deleteDataset(deleter, a.dataset.id));
    await sleep(300);
    expect(deletion.settled()).toBe(false); // it waits for the append's lock on the dataset
    release();
    await append.promise;
    expect(await deletion.promise).toBe(true);
    expect(await points(t.db)).toBe(0);
    expect(await count(t.db, `SELECT COUNT(*) AS "n" FROM "Series"`)).toBe(0);
  });

  it("a deletion racing an append: committed first, the append finds no dataset and stores nothing", async () => {
    const a = await importUpload(t.db, wide(["x"], 0, 1500), { fileName: "a.csv" });
    const appender = t.current.connect();
    const deleter = t.current.connect();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let deleted!: () => void;
    const deletedYet = new Promise<void>((resolve) => (deleted = resolve));
    const deletion = watch(
      deleter.transaction(async (tx) => {
        expect(await deleteDataset(tx, a.dataset.id)).toBe(true);
        deleted();
        await held;
      }),
    );
    await deletedYet;
    const append = watch(importUpload(appender, wide(["x", "y"], 1000, 1500), { fileName: "a.csv", name: "a", mode: "append" }));
    await sleep(300);
    expect(append.settled()).toBe(false);
    release();
    await deletion.promise;
    await expect(append.promise).rejects.toMatchObject({ status: 404, code: "DATASET_NOT_FOUND" });
    expect(await points(t.db)).toBe(0);
    expect(await datasetIdByName(t.db, "a")).toBeNull();
  });
});

describe(`the migration that drops the key, on ${TEST_DATABASE}`, () => {
  let target: TestDatabase | null = null;
  afterEach(async () => {
    await target?.drop();
    target = null;
  });

  /** Applies the migrations `names` in order, as the raw SQL files (each may hold several statements). */
  async function apply(db: TestDatabase, names: string[]): Promise<void> {
    const sql = names.map((name) => fs.readFileSync(path.join(db.migrations, name, "migration.sql"), "utf8"));
    if (db.kind === "sqlite") {
      const sqlite = new Database(db.url.slice("file:".length));
      sqlite.pragma("foreign_keys = ON");
      try {
        for (const s of sql) sqlite.exec(s);
      } finally {
        sqlite.close();
      }
      return;
    }
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const s of sql) await client.query(s);
    } finally {
      await client.end();
    }
  }

  it("keeps every point, and the cascades of the other tables", async () => {
    target = await emptyTestDatabase();
    const names = migrationNames(target.migrations);
    const index = names.findIndex((n) => n.endsWith("_point_without_fk"));
    expect(index).toBe(names.length - 1);
    await apply(target, names.slice(0, index));
    const db = target.connect();
    const now = new Date();
    await db.run(`INSERT INTO "Dataset" ("id", "name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (1, 'd', 'd.csv', 'x', 'wide', 2, ?, ?)`, [now, now]);
    await db.run(`INSERT INTO "Series" ("id", "datasetId", "name", "frequency", "createdAt", "updatedAt") VALUES (7, 1, 's', 'daily', ?, ?)`, [now, now]);
    await db.run(`INSERT INTO "Point" ("seriesId", "ts", "value") VALUES (7, 0, 1.5), (7, 86400000, NULL)`);
    await db.run(`INSERT INTO "Run" ("id", "seriesId", "configKey", "config", "createdAt") VALUES (3, 7, 'k', '{}', ?)`, [now]);
    await db.close();

    await apply(target, names.slice(index));
    const after = target.connect();
    expect(await after.values(`SELECT "seriesId", "ts", "value" FROM "Point" ORDER BY "ts"`)).toEqual([
      [7, 0, 1.5],
      [7, 86400000, null],
    ]);
    // The primary key is still there…
    await expect(after.run(`INSERT INTO "Point" ("seriesId", "ts", "value") VALUES (7, 0, 2)`)).rejects.toThrow();
    // …and deleting the dataset through the app still cascades to the runs and deletes the points.
    expect(await deleteDataset(after, 1)).toBe(true);
    expect([await count(after, `SELECT COUNT(*) AS "n" FROM "Point"`), await count(after, `SELECT COUNT(*) AS "n" FROM "Run"`)]).toEqual([0, 0]);
  });
});
