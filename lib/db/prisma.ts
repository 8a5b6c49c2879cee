import type pg from "pg";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import type { PrismaClient } from "../../prisma/generated/client";
import { BUSY_TIMEOUT_MS } from "./sqlite";
import { databaseFile } from "./url";

/**
 * Prisma Client for model-shaped reads (a dataset with its series, a forecast with its points),
 * generated from prisma/schema.prisma. Everything else (writes, transactions, the queue, bulk
 * points) goes through the Db interface, so Prisma is never part of a Db transaction.
 */
export type { PrismaClient };

export async function openPrisma(url: string, _pool?: pg.Pool): Promise<PrismaClient> {
  const { PrismaClient: SqliteClient } = await import("../../prisma/generated/client");
  return new SqliteClient({ adapter: new PrismaBetterSQLite3({ url: `file:${databaseFile(url)}`, timeout: BUSY_TIMEOUT_MS }) });
}
