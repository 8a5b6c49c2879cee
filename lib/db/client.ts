import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { PrismaClient } from "../../prisma/generated/client";
import { databaseFile, databaseUrl } from "./url";

/**
 * Two connections to one SQLite file: Prisma for the models, and a raw better-sqlite3 connection
 * for the bulk paths (a million points per import, whole series for training) where an ORM's
 * per-row cost would dominate. WAL lets the web app read while a worker writes; the busy timeout
 * makes a writer wait for another instead of failing with SQLITE_BUSY.
 */
export const BUSY_TIMEOUT_MS = 15_000;

interface Handles {
  url: string;
  prisma: PrismaClient;
  sqlite: Database.Database;
}

const globalForDb = globalThis as typeof globalThis & { __tidecastDb?: Handles };

function open(): Handles {
  const url = databaseUrl();
  const file = databaseFile(url);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const sqlite = new Database(file, { timeout: BUSY_TIMEOUT_MS });
  configureConnection(sqlite);
  const adapter = new PrismaBetterSQLite3({ url: `file:${file}`, timeout: BUSY_TIMEOUT_MS });
  const prisma = new PrismaClient({ adapter });
  return { url, prisma, sqlite };
}

/** Pragmas every connection wants: WAL is persistent in the file, the rest are per connection. */
export function configureConnection(sqlite: Database.Database): void {
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sqlite.pragma("synchronous = NORMAL"); // durable at checkpoints; safe with WAL against corruption
  sqlite.pragma("foreign_keys = ON");
}

function handles(): Handles {
  const current = globalForDb.__tidecastDb;
  if (current && current.url === databaseUrl()) return current;
  const next = open();
  globalForDb.__tidecastDb = next;
  return next;
}

/** The shared Prisma client (one per process; survives Next.js dev reloads). */
export function prisma(): PrismaClient {
  return handles().prisma;
}

/** The shared raw connection for bulk reads and writes of points. */
export function sqlite(): Database.Database {
  return handles().sqlite;
}

/** Closes both connections (tests, worker shutdown). */
export async function closeDb(): Promise<void> {
  const current = globalForDb.__tidecastDb;
  if (!current) return;
  globalForDb.__tidecastDb = undefined;
  await current.prisma.$disconnect();
  current.sqlite.close();
}
