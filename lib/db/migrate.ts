import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import Database from "better-sqlite3";
import { configureConnection } from "./client";
import { databaseFile, databaseUrl } from "./url";

/**
 * Applies prisma/migrations/* to a fresh SQLite file without the Prisma CLI: tests create a real
 * database per file in milliseconds this way. `npm start` uses `prisma migrate deploy`, which runs
 * the same SQL files and records them.
 */
export function applyMigrationsTo(file: string, migrationsDir = path.join(process.cwd(), "prisma", "migrations")): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file);
  try {
    configureConnection(sqlite);
    const dirs = fs
      .readdirSync(migrationsDir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    for (const dir of dirs) {
      sqlite.exec(fs.readFileSync(path.join(migrationsDir, dir, "migration.sql"), "utf8"));
    }
  } finally {
    sqlite.close();
  }
}

/** Migration folders not yet recorded as applied in the database file (all of them for a new file). */
export function pendingMigrations(file: string, migrationsDir = path.join(process.cwd(), "prisma", "migrations")): string[] {
  const all = fs
    .readdirSync(migrationsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  if (!fs.existsSync(file)) return all;
  const sqlite = new Database(file, { readonly: true, timeout: 15_000 });
  try {
    const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_prisma_migrations'").get();
    if (!table) return all;
    const applied = new Set(
      sqlite.prepare('SELECT "migration_name" FROM "_prisma_migrations" WHERE "finished_at" IS NOT NULL AND "rolled_back_at" IS NULL').pluck().all() as string[],
    );
    return all.filter((name) => !applied.has(name));
  } finally {
    sqlite.close();
  }
}

/**
 * `prisma migrate deploy` on DATABASE_URL: what `npm start` and the CLI run before touching the
 * database, so a fresh checkout creates its SQLite file and an old one is brought up to date.
 */
export function migrateDeploy(root: string = process.cwd(), env: NodeJS.ProcessEnv = process.env): { ok: boolean; output: string } {
  const file = databaseFile(databaseUrl(env));
  fs.mkdirSync(path.dirname(file), { recursive: true }); // SQLite creates the file, not its folder
  // Nothing to apply is the common case: skip the Prisma CLI (two seconds, and a schema lock).
  if (pendingMigrations(file, path.join(root, "prisma", "migrations")).length === 0) {
    return { ok: true, output: "No pending migrations." };
  }
  const prisma = path.join(root, "node_modules", ".bin", "prisma");
  const result = spawnSync(prisma, ["migrate", "deploy"], { cwd: root, env, encoding: "utf8" });
  return { ok: result.status === 0, output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}
