import type { Db } from "../db/types";

/**
 * Runs a consequence of a change (scoring, an alert) in a savepoint of its own, so that a bug in
 * it rolls back only its own writes, never the change that caused it: an upload's points, a run's
 * result, a schedule's tick, a run marked failed. A transient error (a busy or lost database) is
 * rethrown: the caller's own retry covers it. Anything else is reported and the result is null.
 */
export async function isolated<T>(tx: Db, what: string, fn: (inner: Db) => Promise<T>, report: (line: string) => void = (l) => console.error(l)): Promise<T | null> {
  try {
    return await tx.transaction(fn);
  } catch (err) {
    if (tx.dialect.isTransient(err)) throw err;
    report(`${what} failed (the change it followed is kept): ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}
