import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { configureConnection } from "./client";

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
