import fs from "node:fs";
import path from "node:path";
import { EventEmitter } from "node:events";
import Database from "better-sqlite3";
import { checkBulk, columnValue, conflictClause, quoteIdent } from "./bulk";
import { fromDbDate, toDbDate } from "./dates";
import { sqliteDialect } from "./dialect";
import type { BulkInsert, Db, RunResult, SqlValue } from "./types";

/**
 * The SQLite driver: one better-sqlite3 connection per Db, in WAL mode (the web app reads while a
 * worker writes).
 *
 * better-sqlite3 is synchronous and a transaction belongs to the connection, so an async
 * transaction must keep the connection to itself until it ends: a lock queues every other call
 * of this Db while one is open (calls made outside a transaction run at once otherwise).
 *
 * Waiting for another connection's write lock is asynchronous: SQLite's own busy handler would
 * sleep inside the call and block the event loop (no heartbeats meanwhile, and a deadlock when
 * the lock holder is another connection of the same process waiting for its next turn). So the
 * connection's busy timeout is 0, and a busy statement or BEGIN is retried after a short timer,
 * up to the busy timeout, before SQLITE_BUSY reaches the caller.
 */
export const BUSY_TIMEOUT_MS = 15_000;

export interface SqliteOptions {
  busyTimeoutMs?: number;
  /** Runs before the connection closes (lib/db/client.ts disconnects the Prisma client there). */
  onClose?: () => Promise<void>;
}

/** Pragmas every connection wants: WAL is persistent in the file, the rest are per connection. */
export function configureConnection(sqlite: Database.Database, busyTimeoutMs = BUSY_TIMEOUT_MS): void {
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma(`busy_timeout = ${busyTimeoutMs}`);
  sqlite.pragma("synchronous = NORMAL"); // durable at checkpoints; safe with WAL against corruption
  sqlite.pragma("foreign_keys = ON");
}

type Decoder = (v: unknown) => unknown;
const decodeBool: Decoder = (v) => (v === null || v === undefined ? v : v === 1 || v === true || v === "1" || v === "true");
const decodeDate: Decoder = (v) => (typeof v === "string" ? fromDbDate(v) : typeof v === "number" ? new Date(v) : v);

interface Prepared {
  stmt: Database.Statement;
  /** [column index, column name, decoder] for the columns whose declared type needs decoding. */
  decoders: [number, string, Decoder][];
}

function encode(v: SqlValue): unknown {
  if (v === null || typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (v instanceof Date) return toDbDate(v);
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`Cannot bind ${v === undefined ? "undefined" : typeof v} as a SQL parameter`);
}

const encodeAll = (params: readonly SqlValue[]): unknown[] => params.map(encode);

/** Runs queued calls one at a time while a transaction holds the connection. */
class ConnectionLock {
  private held = false;
  private readonly waiting: (() => void)[] = [];

  get busy(): boolean {
    return this.held || this.waiting.length > 0;
  }

  acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.held = false;
  }
}

class Connection {
  readonly raw: Database.Database;
  readonly lock = new ConnectionLock();
  readonly events = new EventEmitter();
  private readonly cache = new Map<string, Prepared>();
  closed = false;
  readonly onClose?: () => Promise<void>;

  readonly busyTimeoutMs: number;

  constructor(file: string, options: SqliteOptions) {
    this.onClose = options.onClose;
    this.busyTimeoutMs = options.busyTimeoutMs ?? BUSY_TIMEOUT_MS;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.raw = new Database(file, { timeout: 0 });
    this.retrying(() => configureConnection(this.raw, 0)); // WAL needs a moment's lock the first time
    this.events.setMaxListeners(0);
  }

  /** Runs `fn`, retrying it after a short timer while the database is busy, up to the busy timeout. */
  retrying<T>(fn: () => T): T | Promise<T> {
    try {
      return fn();
    } catch (err) {
      if (!sqliteDialect.isTransient(err)) throw err;
      return this.retryLater(fn, Date.now() + this.busyTimeoutMs);
    }
  }

  private async retryLater<T>(fn: () => T, deadline: number): Promise<T> {
    for (let delay = 2; ; delay = Math.min(delay * 2, 50)) {
      await new Promise((resolve) => setTimeout(resolve, delay * (0.5 + Math.random())));
      try {
        return fn();
      } catch (err) {
        if (!sqliteDialect.isTransient(err) || Date.now() >= deadline) throw err;
      }
    }
  }

  prepare(sql: string): Prepared {
    if (this.closed) throw new Error("The database connection is closed");
    const hit = this.cache.get(sql);
    if (hit) {
      this.cache.delete(sql); // most recently used last
      this.cache.set(sql, hit);
      return hit;
    }
    const stmt = this.raw.prepare(sql);
    const decoders: [number, string, Decoder][] = [];
    if (stmt.reader) {
      stmt.columns().forEach((c, i) => {
        const type = (c.type ?? "").toUpperCase();
        if (type === "BOOLEAN") decoders.push([i, c.name, decodeBool]);
        else if (type === "DATETIME") decoders.push([i, c.name, decodeDate]);
      });
    }
    const prepared = { stmt, decoders };
    this.cache.set(sql, prepared);
    if (this.cache.size > 500) this.cache.delete(this.cache.keys().next().value!);
    return prepared;
  }

  all<T>(sql: string, params: readonly SqlValue[]): T[] {
    const { stmt, decoders } = this.prepare(sql);
    const rows = stmt.all(encodeAll(params)) as Record<string, unknown>[];
    if (decoders.length > 0) for (const row of rows) for (const [, name, d] of decoders) row[name] = d(row[name]);
    return rows as T[];
  }

  get<T>(sql: string, params: readonly SqlValue[]): T | undefined {
    const { stmt, decoders } = this.prepare(sql);
    if (!stmt.reader) {
      stmt.run(encodeAll(params));
      return undefined;
    }
    const row = stmt.get(encodeAll(params)) as Record<string, unknown> | undefined;
    if (row && decoders.length > 0) for (const [, name, d] of decoders) row[name] = d(row[name]);
    return row as T | undefined;
  }

  run(sql: string, params: readonly SqlValue[]): RunResult {
    const { stmt } = this.prepare(sql);
    if (stmt.reader) return { changes: stmt.all(encodeAll(params)).length };
    return { changes: stmt.run(encodeAll(params)).changes };
  }

  values(sql: string, params: readonly SqlValue[]): unknown[][] {
    const { stmt, decoders } = this.prepare(sql);
    const rows = stmt.raw(true).all(encodeAll(params)) as unknown[][];
    stmt.raw(false);
    if (decoders.length > 0) for (const row of rows) for (const [i, , d] of decoders) row[i] = d(row[i]);
    return rows;
  }

  /** Multi-row VALUES statements of up to ~750 parameters, the full-size one prepared once. */
  insertMany(spec: BulkInsert): number {
    checkBulk(spec);
    const width = spec.columns.length;
    const perStatement = Math.max(1, Math.floor(768 / width));
    const head = `INSERT INTO ${quoteIdent(spec.table)} (${spec.columns.map(quoteIdent).join(", ")}) VALUES `;
    const tuple = `(${Array(width).fill("?").join(", ")})`;
    const statement = (rows: number) => this.prepare(`${head}${Array(rows).fill(tuple).join(", ")}${conflictClause(spec)}`).stmt;
    let changes = 0;
    const params: unknown[] = new Array(perStatement * width);
    for (let start = 0; start < spec.rows; start += perStatement) {
      const rows = Math.min(perStatement, spec.rows - start);
      if (rows < perStatement) params.length = rows * width;
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < width; c++) params[r * width + c] = encode(columnValue(spec.values[c], start + r));
      }
      changes += statement(rows).run(params).changes;
    }
    return changes;
  }

  exec(sql: string): void {
    if (this.closed) throw new Error("The database connection is closed");
    this.raw.exec(sql);
  }
}

/** Calls made through a Db handle: directly on the connection (inside a transaction) or after its lock. */
class SqliteDb implements Db {
  readonly dialect = sqliteDialect;
  private finished = false;
  private savepoints = 0;

  constructor(
    private readonly conn: Connection,
    /** 0 for the Db itself; 1 for a transaction, 2+ for savepoints in it. */
    private readonly depth: number,
    /** Notifications sent inside a transaction, delivered when the outermost one commits. */
    private readonly pending: [string, string][] | null,
  ) {}

  private call<T>(fn: () => T): Promise<T> {
    if (this.depth > 0) {
      // Inside our own write transaction: nothing to wait for.
      if (this.finished) return Promise.reject(new Error("This transaction has already ended: use the Db it was started from"));
      try {
        return Promise.resolve(fn());
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    if (!this.conn.lock.busy) {
      try {
        return Promise.resolve(this.conn.retrying(fn));
      } catch (err) {
        return Promise.reject(err as Error);
      }
    }
    return this.conn.lock.acquire().then(async () => {
      try {
        return await this.conn.retrying(fn);
      } finally {
        this.conn.lock.release();
      }
    });
  }

  all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.call(() => this.conn.all<T>(sql, params));
  }

  get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return this.call(() => this.conn.get<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.call(() => this.conn.run(sql, params));
  }

  values(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return this.call(() => this.conn.values(sql, params));
  }

  insertMany(spec: BulkInsert): Promise<number> {
    return this.call(() => this.conn.insertMany(spec));
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.depth > 0) return this.savepoint(fn);
    await this.conn.lock.acquire();
    try {
      // IMMEDIATE takes the write lock before the first read: no lock upgrade, so no deadlock
      // between two writers that both read first.
      await this.conn.retrying(() => this.conn.exec("BEGIN IMMEDIATE"));
      const pending: [string, string][] = [];
      const tx = new SqliteDb(this.conn, 1, pending);
      try {
        const result = await fn(tx);
        await this.conn.retrying(() => this.conn.exec("COMMIT")); // a busy COMMIT leaves the transaction open: retry it
        for (const [channel, payload] of pending) this.conn.events.emit(channel, payload);
        return result;
      } catch (err) {
        if (this.conn.raw.inTransaction) this.conn.exec("ROLLBACK");
        throw err;
      } finally {
        tx.finished = true;
      }
    } finally {
      this.conn.lock.release();
    }
  }

  private async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.finished) throw new Error("This transaction has already ended: use the Db it was started from");
    const name = `sp_${this.depth}_${++this.savepoints}`;
    this.conn.exec(`SAVEPOINT ${name}`);
    const mark = this.pending!.length;
    const inner = new SqliteDb(this.conn, this.depth + 1, this.pending);
    try {
      const result = await fn(inner);
      this.conn.exec(`RELEASE ${name}`);
      return result;
    } catch (err) {
      this.conn.exec(`ROLLBACK TO ${name}`);
      this.conn.exec(`RELEASE ${name}`);
      this.pending!.length = mark;
      throw err;
    } finally {
      inner.finished = true;
    }
  }

  async notify(channel: string, payload = ""): Promise<void> {
    if (this.pending) this.pending.push([channel, payload]);
    else this.conn.events.emit(channel, payload);
  }

  async listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    this.conn.events.on(channel, onMessage);
    return async () => {
      this.conn.events.off(channel, onMessage);
    };
  }

  async close(): Promise<void> {
    if (this.depth > 0) throw new Error("Close the Db, not a transaction");
    if (this.conn.closed) return;
    await this.conn.onClose?.();
    await this.conn.lock.acquire();
    try {
      this.conn.closed = true;
      this.conn.raw.close();
    } finally {
      this.conn.lock.release();
    }
  }
}

/** Opens a SQLite file (created with its folder when missing) as a Db. */
export function openSqlite(file: string, options: SqliteOptions = {}): Db {
  return new SqliteDb(new Connection(file, options), 0, null);
}
