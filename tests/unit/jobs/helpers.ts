import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type Database from "better-sqlite3";
import { applyMigrationsTo } from "@/lib/db/migrate";
import { closeDb, sqlite } from "@/lib/db/client";
import { seedSeries } from "../../integration/helpers/db";

let previous: string | null = null;

/** A fresh migrated SQLite file; the shared connections (sqlite(), prisma()) point at it. The previous one is removed. */
export async function freshDb(): Promise<Database.Database> {
  await closeDb();
  if (previous) fs.rmSync(previous, { recursive: true, force: true });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tidecast-jobs-"));
  previous = dir;
  const file = path.join(dir, "test.db");
  applyMigrationsTo(file);
  process.env.DATABASE_URL = `file:${file}`;
  return sqlite();
}

export { seedSeries };
export const ctx = (id: string | number) => ({ params: Promise.resolve({ id: String(id) }) });
