import type pg from "pg";
import { openPostgres } from "./postgres";
import { openPrisma, type PrismaClient } from "./prisma";
import { closeDb, setSharedDb, sharedDb } from "./shared";
import { openSqlite } from "./sqlite";
import type { Db } from "./types";
import { databaseFile, databaseKind, databaseUrl } from "./url";

/**
 * Opening databases. `openDb(url)` gives a new Db (its own connection or pool) for a `file:` or
 * `postgresql://` URL; `db()` is the process's shared one for DATABASE_URL, opened on first use
 * and kept across Next.js dev reloads. Close what you open; `closeDb()` closes the shared one.
 */
export interface OpenOptions {
  /** SQLite: how long a statement waits for another connection's write lock (default 15 s). */
  busyTimeoutMs?: number;
  /** PostgreSQL: pool size (default TIDECAST_DB_POOL_MAX or 10). */
  poolMax?: number;
  /** PostgreSQL: the name shown in pg_stat_activity. */
  applicationName?: string;
  /** PostgreSQL: settings for every session (SET name = value). */
  session?: Record<string, string | number>;
  log?: (line: string) => void;
}

interface Opened {
  url: string;
  pool?: pg.Pool;
  prisma?: Promise<PrismaClient>;
}

// On globalThis, like the shared Db below: Next.js bundles this module into several chunks, and
// each chunk's copy must find the Dbs the others opened.
const globalForOpened = globalThis as typeof globalThis & { __tidecastOpened?: WeakMap<Db, Opened> };
const opened = (globalForOpened.__tidecastOpened ??= new WeakMap<Db, Opened>());

export function openDb(url: string = databaseUrl(), options: OpenOptions = {}): Db {
  const meta: Opened = { url };
  const onClose = async () => {
    const client = meta.prisma;
    meta.prisma = undefined;
    if (client) await (await client).$disconnect();
  };
  let database: Db;
  if (databaseKind(url) === "postgresql") {
    const { db, pool } = openPostgres(url, { max: options.poolMax, applicationName: options.applicationName, session: options.session, log: options.log, onClose });
    meta.pool = pool;
    database = db;
  } else {
    database = openSqlite(databaseFile(url), { busyTimeoutMs: options.busyTimeoutMs, onClose });
  }
  opened.set(database, meta);
  return database;
}

/**
 * Prisma Client on a Db opened by openDb (see lib/db/prisma.ts for what it is used for): on
 * PostgreSQL it shares the Db's pool; closing the Db disconnects it.
 */
export function prismaFor(database: Db): Promise<PrismaClient> {
  const meta = opened.get(database);
  if (!meta) throw new Error("Prisma Client is available on a Db from openDb()/db(), not inside a transaction");
  meta.prisma ??= openPrisma(meta.url, meta.pool);
  return meta.prisma;
}

/** The process's shared Db for DATABASE_URL (re-opened when DATABASE_URL changes, as tests do). */
export function db(): Db {
  const url = databaseUrl();
  const current = sharedDb();
  if (current && current.url === url) return current.db;
  if (current) void current.db.close();
  const next = { url, db: openDb(url) };
  setSharedDb(next);
  return next.db;
}

export { closeDb };
