import pg from "pg";
import { checkBulk, columnValue, conflictClause, quoteIdent } from "./bulk";
import { toDbDate } from "./dates";
import { numberPlaceholders, postgresDialect } from "./dialect";
import { copyRows } from "./postgres-copy";
import type { BulkInsert, Db, RunResult, SqlValue } from "./types";

/**
 * The PostgreSQL driver: a node-postgres pool. Queries are the shared SQL with `?` numbered as
 * `$n`; sessions run in UTC; rows are decoded as on SQLite (BIGINT and NUMERIC as numbers,
 * timestamps as UTC Dates). The same pool serves Prisma's driver adapter (lib/db/prisma.ts),
 * which sets its own type parsers per query.
 */
export interface PostgresOptions {
  /** Connections in the pool (TIDECAST_DB_POOL_MAX, default 10). */
  max?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
  log?: (line: string) => void;
  /** Runs before the pool closes (lib/db/client.ts disconnects the Prisma client there). */
  onClose?: () => Promise<void>;
  /** Session settings (`SET name = value` for every connection), e.g. a worker's timeouts. */
  session?: Record<string, string | number>;
}

const OID = { INT8: 20, NUMERIC: 1700, TIMESTAMP: 1114 } as const;
const parseUtcTimestamp = (s: string) => new Date(`${s.replace(" ", "T")}Z`);

/** Type parsers for our own queries: the decoding promised by lib/db/types.ts. */
const types = {
  getTypeParser(oid: number, format?: "text" | "binary") {
    if (format !== "binary") {
      if (oid === OID.INT8 || oid === OID.NUMERIC) return (s: string) => Number(s);
      if (oid === OID.TIMESTAMP) return parseUtcTimestamp;
    }
    return pg.types.getTypeParser(oid, format ?? "text");
  },
} as pg.CustomTypesConfig;

function encode(v: SqlValue): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : null;
  // Our own UTC text, not node-postgres' local-time rendering of a Date.
  if (v instanceof Date) return toDbDate(v);
  if (v instanceof Uint8Array) return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  throw new TypeError(`Cannot bind ${v === undefined ? "undefined" : typeof v} as a SQL parameter`);
}

const numbered = new Map<string, string>();
function text(sql: string): string {
  let t = numbered.get(sql);
  if (t === undefined) {
    t = numberPlaceholders(sql);
    if (numbered.size > 2000) numbered.clear();
    numbered.set(sql, t);
  }
  return t;
}

type Queryable = pg.Pool | pg.PoolClient;

class PostgresDb implements Db {
  readonly dialect = postgresDialect;
  private finished = false;
  private savepoints = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly target: Queryable,
    private readonly depth: number,
    private readonly shared: Shared,
  ) {}

  private async query(sql: string, params: readonly SqlValue[], rowMode?: "array"): Promise<pg.QueryResult> {
    if (this.finished) throw new Error("This transaction has already ended: use the Db it was started from");
    const values = params.map(encode);
    if (rowMode === "array") return this.target.query({ text: text(sql), values, rowMode, types });
    return this.target.query({ text: text(sql), values, types });
  }

  async all<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.query(sql, params)).rows as T[];
  }

  async get<T extends object>(sql: string, params: readonly SqlValue[] = []): Promise<T | undefined> {
    return (await this.query(sql, params)).rows[0] as T | undefined;
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.query(sql, params)).rowCount ?? 0 };
  }

  async values(sql: string, params: readonly SqlValue[] = []): Promise<unknown[][]> {
    return (await this.query(sql, params, "array")).rows as unknown[][];
  }

  /**
   * A few rows: one multi-row INSERT. Many: COPY, straight into the table for a plain insert;
   * for an upsert into a temporary table first, then one INSERT … SELECT with the upsert clause.
   * A million rows in a handful of statements. Outside a transaction it opens its own.
   */
  async insertMany(spec: BulkInsert): Promise<number> {
    checkBulk(spec);
    if (spec.rows === 0) return 0;
    if (spec.rows * spec.columns.length <= 2000) {
      const tuple = `(${spec.columns.map(() => "?").join(", ")})`;
      const params: SqlValue[] = [];
      for (let r = 0; r < spec.rows; r++) for (let c = 0; c < spec.columns.length; c++) params.push(columnValue(spec.values[c], r));
      const sql = `INSERT INTO ${quoteIdent(spec.table)} (${spec.columns.map(quoteIdent).join(", ")}) VALUES ${Array(spec.rows).fill(tuple).join(", ")}${conflictClause(spec)}`;
      return (await this.run(sql, params)).changes;
    }
    if (this.depth === 0) return this.transaction((tx) => tx.insertMany(spec));
    const client = this.target as pg.PoolClient;
    const columns = spec.columns.map(quoteIdent).join(", ");
    const valueAt = (row: number, col: number) => encode(columnValue(spec.values[col], row));
    if (!spec.onConflict) {
      await copyRows(client, `COPY ${quoteIdent(spec.table)} (${columns}) FROM STDIN`, spec.rows, spec.columns.length, valueAt);
      return spec.rows;
    }
    const staging = `bulk_${spec.table.replace(/\W/g, "")}_${++this.shared.staging}`;
    await client.query(`CREATE TEMP TABLE ${staging} AS SELECT ${columns} FROM ${quoteIdent(spec.table)} WITH NO DATA`);
    try {
      await copyRows(client, `COPY ${staging} (${columns}) FROM STDIN`, spec.rows, spec.columns.length, valueAt);
      const inserted = await client.query(`INSERT INTO ${quoteIdent(spec.table)} (${columns}) SELECT ${columns} FROM ${staging}${conflictClause(spec)}`);
      return inserted.rowCount ?? 0;
    } finally {
      await client.query(`DROP TABLE ${staging}`);
    }
  }

  async transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.depth > 0) return this.savepoint(fn);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out client reports a lost connection as an 'error' event (the pool only listens
    // on idle ones): without a listener that would crash the process. The query in flight fails
    // on its own; the client is then dropped instead of going back to the pool.
    const onError = (err: Error) => (broken = err);
    client.on("error", onError);
    const tx = new PostgresDb(this.pool, client, 1, this.shared);
    try {
      await client.query("BEGIN");
      const result = await fn(tx);
      const commit = await client.query("COMMIT");
      // COMMIT of a transaction an error aborted answers ROLLBACK: never report that as success.
      if (commit.command === "ROLLBACK") throw new Error("The transaction was rolled back after an error inside it");
      return result;
    } catch (err) {
      try {
        await client.query("ROLLBACK");
      } catch (rollbackErr) {
        broken = rollbackErr as Error; // the connection is gone: do not give it back to the pool
      }
      if (postgresDialect.isTransient(err)) broken ??= err as Error;
      throw err;
    } finally {
      tx.finished = true;
      client.off("error", onError);
      client.release(broken);
    }
  }

  private async savepoint<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    if (this.finished) throw new Error("This transaction has already ended: use the Db it was started from");
    const client = this.target as pg.PoolClient;
    const name = `sp_${this.depth}_${++this.savepoints}`;
    await client.query(`SAVEPOINT ${name}`);
    const inner = new PostgresDb(this.pool, client, this.depth + 1, this.shared);
    try {
      const result = await fn(inner);
      await client.query(`RELEASE SAVEPOINT ${name}`);
      return result;
    } catch (err) {
      await client.query(`ROLLBACK TO SAVEPOINT ${name}`);
      await client.query(`RELEASE SAVEPOINT ${name}`);
      throw err;
    } finally {
      inner.finished = true;
    }
  }

  async notify(channel: string, payload = ""): Promise<void> {
    await this.query("SELECT pg_notify(?, ?)", [channel, payload]);
  }

  listen(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    return this.shared.listener.subscribe(channel, onMessage);
  }

  async close(): Promise<void> {
    if (this.depth > 0) throw new Error("Close the Db, not a transaction");
    if (this.shared.closed) return;
    this.shared.closed = true;
    await this.shared.onClose?.();
    await this.shared.listener.close();
    await this.pool.end();
  }
}

/**
 * One dedicated connection for LISTEN (a pooled one would be handed to other queries). When it
 * drops it reconnects with a growing delay and LISTENs again; notifications sent meanwhile are
 * lost, which is why the worker also polls.
 */
class Listener {
  private client: pg.Client | null = null;
  private connecting: Promise<void> | null = null;
  private readonly handlers = new Map<string, Set<(payload: string) => void>>();
  private retryMs = 250;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly log: (line: string) => void,
  ) {}

  async subscribe(channel: string, onMessage: (payload: string) => void): Promise<() => Promise<void>> {
    let set = this.handlers.get(channel);
    const fresh = !set;
    if (!set) this.handlers.set(channel, (set = new Set()));
    set.add(onMessage);
    await this.ensure();
    if (fresh && this.client) await this.client.query(`LISTEN ${quoteIdent(channel)}`).catch(() => undefined);
    return async () => {
      set!.delete(onMessage);
      if (set!.size === 0) {
        this.handlers.delete(channel);
        await this.client?.query(`UNLISTEN ${quoteIdent(channel)}`).catch(() => undefined);
      }
      if (this.handlers.size === 0) await this.close();
    };
  }

  private ensure(): Promise<void> {
    if (this.client || this.stopped) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => (this.connecting = null));
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.config);
    const lost = (why: string) => {
      if (this.client !== client) return;
      this.client = null;
      client.removeAllListeners("notification");
      void client.end().catch(() => undefined);
      if (!this.stopped && this.handlers.size > 0) {
        this.log(`LISTEN connection lost (${why}); reconnecting in ${this.retryMs} ms`);
        this.schedule();
      }
    };
    client.on("error", (err) => lost(err.message));
    client.on("end", () => lost("closed"));
    client.on("notification", (n) => {
      for (const h of this.handlers.get(n.channel) ?? []) h(n.payload ?? "");
    });
    try {
      await client.connect();
      for (const channel of this.handlers.keys()) await client.query(`LISTEN ${quoteIdent(channel)}`);
      this.client = client;
      this.retryMs = 250;
      if (this.stopped) await this.close();
    } catch (err) {
      void client.end().catch(() => undefined);
      if (!this.stopped) {
        this.log(`LISTEN connection failed (${(err as Error).message}); retrying in ${this.retryMs} ms`);
        this.schedule();
      }
    }
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.ensure();
    }, this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 10_000);
  }

  async close(): Promise<void> {
    this.stopped = this.handlers.size === 0 || this.stopped;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const c = this.client;
    this.client = null;
    if (c) {
      c.removeAllListeners();
      c.on("error", () => undefined);
      await c.end().catch(() => undefined);
    }
  }
}

interface Shared {
  closed: boolean;
  onClose?: () => Promise<void>;
  staging: number;
  listener: Listener;
}

/** Connection settings shared by the pool and the LISTEN connection. */
export function postgresConfig(url: string, options: PostgresOptions = {}): pg.ClientConfig {
  const session = { TimeZone: "UTC", ...options.session };
  return {
    connectionString: url,
    application_name: options.applicationName ?? "tidecast",
    options: Object.entries(session)
      .map(([k, v]) => `-c ${k}=${v}`)
      .join(" "),
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    connectionTimeoutMillis: 10_000,
  };
}

export function openPostgres(url: string, options: PostgresOptions = {}): { db: Db; pool: pg.Pool } {
  const log = options.log ?? ((line: string) => console.error(`[db] ${line}`));
  const config = postgresConfig(url, options);
  const max = options.max ?? (Number(process.env.TIDECAST_DB_POOL_MAX) || 10);
  const pool = new pg.Pool({ ...config, max, idleTimeoutMillis: 30_000 });
  // An idle connection that dies (server restart, network cut) must not crash the process.
  pool.on("error", (err) => log(`idle connection error: ${err.message}`));
  const shared: Shared = { closed: false, staging: 0, listener: new Listener(config, log), onClose: options.onClose };
  return { db: new PostgresDb(pool, pool, 0, shared), pool };
}
