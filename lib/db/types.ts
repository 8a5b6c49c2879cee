import type { DatabaseKind } from "./url";

/**
 * The one database interface of Tidecast: the same calls on SQLite (better-sqlite3) and on
 * PostgreSQL (node-postgres), all async. SQL is written once, in the dialect both share:
 * double-quoted identifiers, `?` placeholders (numbered for PostgreSQL by the driver), RETURNING,
 * ON CONFLICT, IS DISTINCT FROM. The few fragments that differ are on `db.dialect`.
 *
 * Values cross the interface decoded the same way on both databases:
 * - parameters: string, number, boolean, null, Date (stored in the one date encoding of
 *   lib/db/dates.ts), Uint8Array (BLOB / bytea);
 * - rows: INTEGER, BIGINT and REAL columns as numbers (ms timestamps fit exactly), BOOLEAN as
 *   booleans, DateTime as Dates, Bytes as Buffers, text as strings, NULL as null. Decoding follows
 *   the column's declared type, so select columns, not expressions, where the type matters
 *   (SQLite cannot tell the type of `MAX("createdAt")`; COUNT and SUM are numbers on both).
 */
export type SqlValue = string | number | boolean | null | Date | Uint8Array;

export interface RunResult {
  /** Rows inserted, updated or deleted by the statement. */
  changes: number;
}

/** A column of a bulk insert: one value per row (NaN stored as NULL), or one value for every row. */
export type BulkColumn = ArrayLike<number | null> | readonly SqlValue[] | { constant: SqlValue };

export interface BulkInsert {
  table: string;
  columns: readonly string[];
  /** One entry per column, in the order of `columns`. */
  values: readonly BulkColumn[];
  rows: number;
  /** Upsert: on a conflict of `target`, set `update` columns from the new row, only where they differ. */
  onConflict?: { target: readonly string[]; update: readonly string[] };
}

/** The SQL fragments that differ between the databases (see lib/db/dialect.ts). */
export interface Dialect {
  readonly kind: DatabaseKind;
  /** Appended to a SELECT that must lock the rows it reads until the transaction ends ("" on SQLite, whose write transactions are exclusive). */
  readonly forUpdate: string;
  /** Appended to a queue's SELECT of candidate rows: other transactions' locked rows are skipped ("" on SQLite). */
  readonly skipLocked: string;
  /**
   * A statement that takes an exclusive lock named by its one parameter until the transaction
   * ends, for a decision that depends on rows no row lock covers (a count over a whole table);
   * null on SQLite, whose write transactions are exclusive anyway.
   */
  readonly transactionLock: string | null;
  /** A transient error (busy or locked database, lost connection, serialization failure): retrying later can succeed. */
  isTransient(err: unknown): boolean;
}

export interface Db {
  readonly dialect: Dialect;
  /** Every row of a query. */
  all<T extends object = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** The first row of a query, or undefined. */
  get<T extends object = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined>;
  /** A statement whose rows are not needed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /** Rows as arrays in the order of the selected columns: bulk reads without an object per row. */
  values(sql: string, params?: readonly SqlValue[]): Promise<unknown[][]>;
  /** Inserts (or upserts) many rows in few statements; returns the rows inserted or changed. Call inside a transaction for all-or-nothing. */
  insertMany(spec: BulkInsert): Promise<number>;
  /**
   * Runs `fn` in one transaction on one connection: committed when it resolves, rolled back when
   * it throws. Use `tx` (not this Db) inside. A transaction inside a transaction is a savepoint:
   * its failure rolls back only its own writes. On SQLite the transaction takes the write lock
   * up front (BEGIN IMMEDIATE) and other calls of this process wait for it; on PostgreSQL it is
   * READ COMMITTED, so take row locks (`dialect.forUpdate`) where a decision depends on a read.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /**
   * Wakes listeners of `channel` (in every process on PostgreSQL, through NOTIFY, when the
   * transaction commits; in this process only on SQLite). Never fails the caller's work.
   */
  notify(channel: string, payload?: string): Promise<void>;
  /** Calls `onMessage` for each notification on `channel` until the returned function is called. */
  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>>;
  /** Closes the connections (tests, worker shutdown). */
  close(): Promise<void>;
}
