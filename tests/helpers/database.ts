import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterEach, beforeEach, inject, onTestFinished } from "vitest";
import { closeDb, openDb } from "../../lib/db/client";
import { applyMigrations, migrationsDir } from "../../lib/db/migrate";
import type { Db, SqlValue } from "../../lib/db/types";
import type { DatabaseKind } from "../../lib/db/url";

/**
 * Real, migrated, throwaway databases for tests: a SQLite file in a temp folder, or a PostgreSQL
 * database on the cluster the suite's global setup started. No mock database anywhere.
 *
 * The database tests run once per database (the vitest projects "sqlite" and "postgresql" in
 * vitest.config.ts set TIDECAST_TEST_DATABASE), with the same assertions.
 */
export const TEST_DATABASE: DatabaseKind = testDatabaseKind();

function testDatabaseKind(): DatabaseKind {
  const kind = process.env.TIDECAST_TEST_DATABASE ?? "sqlite";
  if (kind !== "sqlite" && kind !== "postgresql") throw new Error(`TIDECAST_TEST_DATABASE must be sqlite or postgresql, got "${kind}"`);
  return kind;
}

export interface TestDatabase {
  kind: DatabaseKind;
  url: string;
  /** A temp folder for the test's own files (logs, records); removed with the database. */
  dir: string;
  /** The migrations folder of this kind of database. */
  migrations: string;
  /** A new connection to the database, as another process would have; closed on drop. */
  connect(): Db;
  /** Closes every connection opened through connect() and removes the database. */
  drop(): Promise<void>;
}

/** A fresh database with every migration applied. */
export async function createTestDatabase(kind: DatabaseKind = TEST_DATABASE): Promise<TestDatabase> {
  if (kind === "postgresql") return postgresDatabase(inject("postgresTemplate"));
  const t = await emptyTestDatabase(kind);
  await applyMigrations(t.url);
  return t;
}

/** A fresh database with no tables at all (for `prisma migrate deploy` to create them). */
export async function emptyTestDatabase(kind: DatabaseKind = TEST_DATABASE): Promise<TestDatabase> {
  if (kind === "postgresql") return postgresDatabase("template0");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `tidecast-${kind}-`));
  const url = `file:${path.join(dir, "test.db")}`;
  return handle(kind, url, dir, async () => undefined);
}

let created = 0;

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject("postgresUrl") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A database on the suite's cluster, copied from `template` (the migrated template, or template0). */
async function postgresDatabase(template: string): Promise<TestDatabase> {
  const name = `t_${process.pid}_${++created}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`));
  const url = new URL(inject("postgresUrl"));
  url.pathname = `/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-postgresql-"));
  // FORCE: worker processes a test killed may still hold connections.
  return handle("postgresql", url.toString(), dir, () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`))));
}

function handle(kind: DatabaseKind, url: string, dir: string, remove: () => Promise<void>): TestDatabase {
  const connections: Db[] = [];
  return {
    kind,
    url,
    dir,
    migrations: migrationsDir(kind),
    connect() {
      const db = openDb(url);
      connections.push(db);
      return db;
    },
    async drop() {
      await Promise.all(connections.splice(0).map((c) => c.close()));
      await remove();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh database for this test; DATABASE_URL points at it (for the route handlers and the
 * worker processes the test spawns) and the shared db() re-opens on it. Dropped when the test ends.
 */
export async function useDatabase(kind: DatabaseKind = TEST_DATABASE): Promise<TestDatabase> {
  const t = await createTestDatabase(kind);
  process.env.DATABASE_URL = t.url;
  onTestFinished(async () => {
    await closeDb();
    await t.drop();
  });
  return t;
}

/** useDatabase for every test of a file or describe block: `const t = databasePerTest()`, then `t.db`, `t.current`. */
export function databasePerTest(kind: DatabaseKind = TEST_DATABASE): { readonly current: TestDatabase; readonly db: Db } {
  let current: TestDatabase | null = null;
  let db: Db | null = null;
  beforeEach(async () => {
    current = await createTestDatabase(kind);
    process.env.DATABASE_URL = current.url;
    db = current.connect();
  });
  afterEach(async () => {
    await closeDb();
    await current?.drop();
    current = null;
    db = null;
  });
  return {
    get current() {
      return current!;
    },
    get db() {
      return db!;
    },
  };
}

/** Inserts a dataset with one daily series of `n` points (a noisy sine). Returns the series id. */
export async function seedSeries(db: Db, name = "demo", n = 60): Promise<number> {
  const now = new Date();
  const day = 86_400_000;
  const t0 = Date.UTC(2024, 0, 1);
  return db.transaction(async (tx) => {
    const ds = (await tx.get<{ id: number }>(
      `INSERT INTO "Dataset" ("name", "fileName", "contentHash", "format", "rowCount", "createdAt", "updatedAt") VALUES (?, ?, 'x', 'long', ?, ?, ?) RETURNING "id"`,
      [`${name}-ds`, `${name}.csv`, n, now, now],
    ))!;
    const s = (await tx.get<{ id: number }>(
      `INSERT INTO "Series" ("datasetId", "name", "frequency", "stepMs", "pointCount", "firstTs", "lastTs", "createdAt", "updatedAt")
       VALUES (?, ?, 'daily', ?, ?, ?, ?, ?, ?) RETURNING "id"`,
      [ds.id, name, day, n, t0, t0 + (n - 1) * day, now, now],
    ))!;
    await tx.insertMany({
      table: "Point",
      columns: ["seriesId", "ts", "value"],
      values: [{ constant: s.id }, Array.from({ length: n }, (_, i) => t0 + i * day), Array.from({ length: n }, (_, i) => 10 + 3 * Math.sin((2 * Math.PI * i) / 7) + 0.01 * i)],
      rows: n,
    });
    return s.id;
  });
}

/** A count from `SELECT COUNT(*) AS "n" …`. */
export async function count(db: Db, sql: string, params: SqlValue[] = []): Promise<number> {
  return (await db.get<{ n: number }>(sql, params))!.n;
}
