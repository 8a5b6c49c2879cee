/**
 * The process's shared Db (client.ts `db()`), kept on globalThis: Next.js bundles the database
 * modules into several chunks, and each chunk's copy must find the one the others opened. Closing
 * it needs no driver, so a process that may never have opened it (the CLI's forecast command)
 * can close it without loading the database modules.
 */
import type { Db } from "./types";

export interface SharedDb {
  url: string;
  db: Db;
}

const holder = globalThis as typeof globalThis & { __tidecastDb?: SharedDb };

export function sharedDb(): SharedDb | undefined {
  return holder.__tidecastDb;
}

export function setSharedDb(shared: SharedDb | undefined): void {
  holder.__tidecastDb = shared;
}

/** Closes the shared Db if one is open (tests, worker and CLI shutdown). */
export async function closeDb(): Promise<void> {
  const current = holder.__tidecastDb;
  if (!current) return;
  holder.__tidecastDb = undefined;
  await current.db.close();
}
