import type { Db, SqlValue } from "./types";

/**
 * Copies every table of a SQLite database into an empty PostgreSQL database with the same schema
 * (both migrated to the latest migration), in ONE transaction on the target: either everything
 * arrives, with each table's row count checked against the source, or nothing does.
 *
 * The tables, their primary keys and their foreign keys are read from the source itself, so a
 * table added to the model later is copied without touching this file. Rows keep their ids;
 * each serial id sequence is moved past the largest id copied.
 */
export interface TableCopy {
  table: string;
  rows: number;
}

export interface CopyOptions {
  /** Rows read and written per batch (default 20,000). */
  batchRows?: number;
  onTable?: (copy: TableCopy) => void;
}

export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CopyError";
  }
}

interface TableInfo {
  name: string;
  columns: string[];
  key: string[]; // primary key columns, in key order
  parents: string[]; // tables its foreign keys reference
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function sqliteTables(source: Db): Promise<TableInfo[]> {
  const names = (
    await source.all<{ name: string }>(
      `SELECT "name" FROM sqlite_master WHERE "type" = 'table' AND "name" NOT LIKE 'sqlite_%' AND "name" <> '_prisma_migrations' ORDER BY "name"`,
    )
  ).map((r) => r.name);
  const tables: TableInfo[] = [];
  for (const name of names) {
    const cols = await source.all<{ name: string; pk: number }>(`SELECT "name", "pk" FROM pragma_table_info(?) ORDER BY "cid"`, [name]);
    const fks = await source.all<{ table: string }>(`SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)`, [name]);
    const key = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    tables.push({ name, columns: cols.map((c) => c.name), key: key.length > 0 ? key : cols.map((c) => c.name), parents: fks.map((f) => f.table).filter((t) => t !== name) });
  }
  return tables;
}

/** Parents before children, so every foreign key finds its row. */
function dependencyOrder(tables: TableInfo[]): TableInfo[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const out: TableInfo[] = [];
  const visit = (t: TableInfo, path: string[]) => {
    if (done.has(t.name)) return;
    if (path.includes(t.name)) throw new CopyError(`Foreign keys form a cycle: ${[...path, t.name].join(" -> ")}`);
    for (const p of t.parents) {
      const parent = byName.get(p);
      if (parent) visit(parent, [...path, t.name]);
    }
    done.add(t.name);
    out.push(t);
  };
  for (const t of tables) visit(t, []);
  return out;
}

async function countRows(db: Db, table: string): Promise<number> {
  return (await db.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM ${q(table)}`))!.n;
}

/** Rows of a table in primary-key order, a batch at a time (keyset pagination: no OFFSET scans). */
async function* batches(source: Db, t: TableInfo, size: number): AsyncGenerator<Record<string, SqlValue>[]> {
  const cols = t.columns.map(q).join(", ");
  const order = t.key.map(q).join(", ");
  let after: SqlValue[] | null = null;
  for (;;) {
    const where = after ? `WHERE (${order}) > (${after.map(() => "?").join(", ")})` : "";
    const rows: Record<string, SqlValue>[] = await source.all<Record<string, SqlValue>>(`SELECT ${cols} FROM ${q(t.name)} ${where} ORDER BY ${order} LIMIT ?`, [...(after ?? []), size]);
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < size) return;
    const last: Record<string, SqlValue> = rows[rows.length - 1];
    after = t.key.map((k) => last[k]);
  }
}

export async function copyDatabase(source: Db, target: Db, options: CopyOptions = {}): Promise<TableCopy[]> {
  if (source.dialect.kind !== "sqlite") throw new CopyError("The source must be a SQLite database (DATABASE_URL=file:…).");
  if (target.dialect.kind !== "postgresql") throw new CopyError("The target must be a PostgreSQL database (--to postgresql://…).");
  const tables = dependencyOrder(await sqliteTables(source));
  const size = options.batchRows ?? 20_000;
  return target.transaction(async (tx) => {
    for (const t of tables) {
      const present = await tx.get<{ t: string | null }>(`SELECT to_regclass(?) AS "t"`, [q(t.name)]);
      if (!present?.t) throw new CopyError(`The target has no table "${t.name}": is it migrated to the same version as the source?`);
      if ((await countRows(tx, t.name)) > 0) throw new CopyError(`The target is not empty: table "${t.name}" has rows. Copy into an empty database.`);
    }
    const copied: TableCopy[] = [];
    for (const t of tables) {
      let rows = 0;
      for await (const batch of batches(source, t, size)) {
        rows += await tx.insertMany({ table: t.name, columns: t.columns, values: t.columns.map((c) => batch.map((r) => r[c])), rows: batch.length });
      }
      const expected = await countRows(source, t.name);
      const landed = await countRows(tx, t.name);
      if (rows !== expected || landed !== expected) {
        throw new CopyError(`Table "${t.name}": the source has ${expected} rows but ${landed} arrived; nothing was copied.`);
      }
      if (t.columns.includes("id") && t.key.length === 1 && t.key[0] === "id") {
        // Serial ids: the next id the target hands out follows the largest one copied.
        await tx.get(
          `SELECT setval(pg_get_serial_sequence(?, 'id'), COALESCE((SELECT MAX("id") FROM ${q(t.name)}), 1), (SELECT COUNT(*) > 0 FROM ${q(t.name)}))`,
          [q(t.name)],
        );
      }
      const copy = { table: t.name, rows };
      copied.push(copy);
      options.onTable?.(copy);
    }
    return copied;
  });
}
