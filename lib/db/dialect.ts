import type { Dialect } from "./types";

/**
 * Everything SQL-level that differs between SQLite and PostgreSQL, in one place. The drivers
 * (sqlite.ts, postgres.ts) use these; code above lib/db only ever reads `db.dialect.forUpdate`,
 * `db.dialect.skipLocked`, `db.dialect.transactionLock` and `db.dialect.isTransient`.
 */

const code = (err: unknown): string | undefined => {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === "string" ? c : undefined;
};

export const sqliteDialect: Dialect = {
  kind: "sqlite",
  forUpdate: "",
  skipLocked: "",
  transactionLock: null,
  /** SQLITE_BUSY / SQLITE_LOCKED after the busy timeout: another connection holds a long write. */
  isTransient(err) {
    const c = code(err);
    return c !== undefined && (c.startsWith("SQLITE_BUSY") || c.startsWith("SQLITE_LOCKED"));
  },
};

/** SQLSTATE classes and codes after which the same statement can succeed later. */
const PG_TRANSIENT_CODES = new Set(["40001", "40P01", "55P03", "57P01", "57P02", "57P03", "53300", "57014"]);
const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "EAI_AGAIN"]);
const NETWORK_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Query read timeout|Client has encountered a connection error|Connection lost/i;

export const postgresDialect: Dialect = {
  kind: "postgresql",
  forUpdate: " FOR UPDATE",
  skipLocked: " FOR UPDATE SKIP LOCKED",
  // An advisory lock on the name's 32-bit hash, released at COMMIT or ROLLBACK.
  transactionLock: `SELECT pg_advisory_xact_lock(hashtext(?))`,
  /** Serialization failures, deadlocks, lock timeouts, server restarts, lost or timed-out connections. */
  isTransient(err) {
    const c = code(err);
    if (c !== undefined && (PG_TRANSIENT_CODES.has(c) || c.startsWith("08") || NETWORK_CODES.has(c))) return true;
    const message = err instanceof Error ? err.message : "";
    return NETWORK_MESSAGES.test(message);
  },
};

/**
 * `?` placeholders as PostgreSQL's `$1, $2, …`. Question marks inside string literals, quoted
 * identifiers and comments are left alone (SQL is written with `?` once, for both databases).
 */
export function numberPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  while (i < sql.length) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "-" && sql[i + 1] === "-") {
      const end = sql.indexOf("\n", i);
      const stop = end === -1 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === "?") {
      out += `$${++n}`;
      i++;
    } else {
      out += ch;
      i++;
    }
  }
  return out;
}
