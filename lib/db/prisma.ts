import type pg from "pg";
import type { PrismaClient } from "../../prisma/generated/client";
import { BUSY_TIMEOUT_MS } from "./sqlite";
import { databaseFile, databaseKind } from "./url";

/**
 * Prisma Client for model-shaped reads (a dataset with its series, a forecast with its points).
 * Everything else (writes, transactions, the queue, bulk points) goes through the Db interface,
 * so Prisma is never part of a Db transaction.
 *
 * Prisma generates a client per provider from the one data model (prisma/schema.prisma and its
 * PostgreSQL copy, see scripts/db-schema.ts). Both have the same models and the same query API;
 * the SQLite client's type stands for both.
 */
export type { PrismaClient };

export async function openPrisma(url: string, pool?: pg.Pool): Promise<PrismaClient> {
  if (databaseKind(url) === "postgresql") {
    const [{ PrismaClient: PostgresClient }, { PrismaPg }] = await Promise.all([
      import("../../prisma/postgresql/generated/client"),
      import("@prisma/adapter-pg"),
    ]);
    // Prisma's queries share the Db's pool (and its UTC sessions); closing the Db ends it.
    const adapter = new PrismaPg(pool ?? { connectionString: url, options: "-c TimeZone=UTC" }, { disposeExternalPool: false });
    return new PostgresClient({ adapter }) as unknown as PrismaClient;
  }
  const [{ PrismaClient: SqliteClient }, { PrismaBetterSQLite3 }] = await Promise.all([
    import("../../prisma/generated/client"),
    import("@prisma/adapter-better-sqlite3"),
  ]);
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${databaseFile(url)}`, timeout: BUSY_TIMEOUT_MS }) });
}

/**
 * PostgreSQL catalog types Prisma's pg adapter cannot read in 6.19 (prisma/orm#27403: `prisma
 * migrate deploy` through @prisma/adapter-pg fails with "Column type 'name' could not be
 * deserialized" on its information_schema queries). Their values arrive as text, so the fields
 * are relabelled as text before the adapter sees them.
 */
const CATALOG_TEXT_TYPES: Record<number, number> = { 18: 25, 19: 25, 24: 25, 194: 25, 2205: 25, 2206: 25, 1003: 1009 };

function relabelCatalogTypes<R extends { fields?: { dataTypeID: number }[] }>(result: R): R {
  for (const field of result?.fields ?? []) field.dataTypeID = CATALOG_TEXT_TYPES[field.dataTypeID] ?? field.dataTypeID;
  return result;
}

type Fields = { fields?: { dataTypeID: number }[] };

/** Wraps a client's query (promise or callback form, as pg-pool calls it) to relabel the result's fields. */
function patchQuery(target: { query: (...args: never[]) => unknown }): void {
  const original = target.query.bind(target) as (...args: unknown[]) => Promise<Fields> | undefined;
  (target as { query: unknown }).query = (...args: unknown[]) => {
    const last = args[args.length - 1];
    if (typeof last === "function") {
      const cb = last as (err: Error | null, res?: Fields) => void;
      return original(...args.slice(0, -1), (err: Error | null, res?: Fields) => cb(err, res && relabelCatalogTypes(res)));
    }
    const result = original(...args);
    return result && typeof (result as Promise<Fields>).then === "function" ? (result as Promise<Fields>).then(relabelCatalogTypes) : result;
  };
}

/** The driver adapter `prisma migrate` runs through (prisma.config.ts), for either database. */
export async function migrationAdapter(url: string) {
  if (databaseKind(url) === "postgresql") {
    const [{ default: pgModule }, { PrismaPg }] = await Promise.all([import("pg"), import("@prisma/adapter-pg")]);
    const pool = new pgModule.Pool({ connectionString: url, options: "-c TimeZone=UTC" });
    // Every query runs on a pooled client (pool.query too, through connect with a callback).
    const patched = new WeakSet<object>();
    const once = (client: pg.PoolClient | undefined) => {
      if (client && !patched.has(client)) {
        patchQuery(client as never);
        patched.add(client);
      }
    };
    type Done = (err?: Error) => void;
    const connect = pool.connect.bind(pool) as (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: Done) => void) => Promise<pg.PoolClient> | void;
    (pool as { connect: unknown }).connect = (cb?: (err: Error | undefined, client?: pg.PoolClient, done?: Done) => void) => {
      if (cb) return connect((err, client, done) => (once(client), cb(err, client, done)));
      return (connect() as Promise<pg.PoolClient>).then((client) => (once(client), client));
    };
    return new PrismaPg(pool, { disposeExternalPool: true });
  }
  const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
  return new PrismaBetterSQLite3({ url: `file:${databaseFile(url)}`, timeout: BUSY_TIMEOUT_MS });
}
