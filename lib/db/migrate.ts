import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import pg from "pg";
import { configureConnection } from "./sqlite";
import { postgresConfig } from "./postgres";
import { databaseFile, databaseKind, databaseUrl, redactUrl, type DatabaseKind } from "./url";

/**
 * Migrations: one folder per database, generated from the one data model (prisma/schema.prisma;
 * see docs/DEVELOPING.md): prisma/migrations for SQLite, prisma/postgresql/migrations for
 * PostgreSQL. `npm start`, the CLI and `npm run db:migrate` apply them with `prisma migrate
 * deploy`, which records them in `_prisma_migrations`; tests apply the same SQL directly.
 */
export function migrationsDir(kind: DatabaseKind, root: string = process.cwd()): string {
  return kind === "postgresql" ? path.join(root, "prisma", "postgresql", "migrations") : path.join(root, "prisma", "migrations");
}

export function migrationNames(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(path.join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort();
}

const scripts = (dir: string) => migrationNames(dir).map((name) => fs.readFileSync(path.join(dir, name, "migration.sql"), "utf8"));

/**
 * Applies every migration to a fresh database without the Prisma CLI (tests create a real
 * database per file in milliseconds this way). Not recorded in `_prisma_migrations`.
 */
export async function applyMigrations(url: string, root: string = process.cwd()): Promise<void> {
  const kind = databaseKind(url);
  const dir = migrationsDir(kind, root);
  if (kind === "sqlite") {
    const file = databaseFile(url);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const sqlite = new Database(file);
    try {
      configureConnection(sqlite);
      for (const sql of scripts(dir)) sqlite.exec(sql);
    } finally {
      sqlite.close();
    }
    return;
  }
  const client = new pg.Client(postgresConfig(url));
  await client.connect();
  try {
    for (const sql of scripts(dir)) await client.query(sql);
  } finally {
    await client.end();
  }
}

const APPLIED = `SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL`;

/** Migration folders not yet recorded as applied (all of them for a new database). */
export async function pendingMigrations(url: string, root: string = process.cwd()): Promise<string[]> {
  const kind = databaseKind(url);
  const all = migrationNames(migrationsDir(kind, root));
  let applied: string[];
  if (kind === "sqlite") {
    const file = databaseFile(url);
    if (!fs.existsSync(file)) return all;
    const sqlite = new Database(file, { readonly: true, timeout: 15_000 });
    try {
      const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
      applied = table ? (sqlite.prepare(APPLIED).pluck().all() as string[]) : [];
    } finally {
      sqlite.close();
    }
  } else {
    const client = new pg.Client(postgresConfig(url));
    await client.connect();
    try {
      const table = await client.query(`SELECT to_regclass('"_prisma_migrations"') AS t`);
      applied = table.rows[0].t ? (await client.query(APPLIED)).rows.map((r: { migration_name: string }) => r.migration_name) : [];
    } finally {
      await client.end();
    }
  }
  const done = new Set(applied);
  return all.filter((name) => !done.has(name));
}

/**
 * `prisma migrate deploy` on DATABASE_URL (prisma.config.ts picks the schema, the migrations and
 * the driver adapter from the URL): what `npm start` and the CLI run before touching the
 * database, so a fresh checkout creates its SQLite file and an old database is brought up to date.
 */
export async function migrateDeploy(root: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): Promise<{ ok: boolean; output: string }> {
  const url = databaseUrl(env);
  if (databaseKind(url) === "sqlite") fs.mkdirSync(path.dirname(databaseFile(url)), { recursive: true }); // SQLite creates the file, not its folder
  let pending: string[];
  try {
    pending = await pendingMigrations(url, root);
  } catch (err) {
    return { ok: false, output: `Cannot reach the database ${redactUrl(url)}: ${(err as Error).message}` };
  }
  // Nothing to apply is the common case: skip the Prisma CLI (two seconds, and a schema lock).
  if (pending.length === 0) return { ok: true, output: "No pending migrations." };
  const prisma = path.join(root, "node_modules", ".bin", "prisma");
  const result = spawnSync(prisma, ["migrate", "deploy"], { cwd: root, env: { ...env, DATABASE_URL: url }, encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
