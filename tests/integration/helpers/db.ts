import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { onTestFinished } from "vitest";
import { applyMigrationsTo } from "../../../lib/db/migrate";
import { configureConnection } from "../../../lib/db/client";
import { toDbDate } from "../../../lib/db/dates";

/**
 * A fresh migrated SQLite file in a temp dir; DATABASE_URL points at it for this process (and the
 * workers it spawns). Call inside a test: the directory is removed when the test ends.
 */
export function useTempDatabase(): { dir: string; file: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-int-"));
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "test.db");
  applyMigrationsTo(file);
  process.env.DATABASE_URL = `file:${file}`;
  return { dir, file };
}

/** A separate connection to the same file (as another process would have). */
export function openDb(file: string, timeoutMs = 15_000): Database.Database {
  const db = new Database(file, { timeout: timeoutMs });
  configureConnection(db);
  return db;
}

/** Inserts a dataset with one daily series of `n` points (a noisy sine). Returns the series id. */
export function seedSeries(db: Database.Database, name = "demo", n = 60): number {
  const now = toDbDate(new Date());
  const ds = db
    .prepare(`INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (?, ?, 'x', 'long', ?, ?, ?) RETURNING "id"`)
    .get(`${name}-ds`, `${name}.csv`, n, now, now) as { id: number };
  const day = 86_400_000;
  const t0 = Date.UTC(2024, 0, 1);
  const s = db
    .prepare(
      `INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "firstTs", "lastTs", "createdAt", "updatedAt")
       VALUES (?, ?, 'daily', ?, ?, ?, ?, ?, ?) RETURNING "id"`,
    )
    .get(ds.id, name, day, n, t0, t0 + (n - 1) * day, now, now) as { id: number };
  const insert = db.prepare(`INSERT INTO "Point" ("seriesId", "ts", "value") VALUES (?, ?, ?)`);
  db.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(s.id, t0 + i * day, 10 + 3 * Math.sin((2 * Math.PI * i) / 7) + 0.01 * i);
  })();
  return s.id;
}
