import type { BulkColumn, BulkInsert, SqlValue } from "./types";

/**
 * Shared parts of the drivers' bulk inserts: reading a column's value for a row, and the upsert
 * clause (the same text on SQLite and PostgreSQL).
 */
export function columnValue(column: BulkColumn, row: number): SqlValue {
  if (isConstant(column)) return column.constant;
  const v = (column as ArrayLike<SqlValue>)[row];
  return typeof v === "number" && !Number.isFinite(v) ? null : v;
}

function isConstant(column: BulkColumn): column is { constant: SqlValue } {
  return typeof column === "object" && column !== null && "constant" in column;
}

export function checkBulk(spec: BulkInsert): void {
  if (spec.values.length !== spec.columns.length) {
    throw new Error(`insertMany into "${spec.table}": ${spec.columns.length} columns but ${spec.values.length} value arrays`);
  }
  spec.values.forEach((column, i) => {
    if (!isConstant(column) && column.length < spec.rows) {
      throw new Error(`insertMany into "${spec.table}": column "${spec.columns[i]}" has ${column.length} values for ${spec.rows} rows`);
    }
  });
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;

/** `ON CONFLICT (target) DO UPDATE SET c = excluded.c WHERE <some c differs>`, or "" for a plain insert. */
export function conflictClause(spec: BulkInsert): string {
  const c = spec.onConflict;
  if (!c) return "";
  const table = quoteIdent(spec.table);
  if (c.update.length === 0) return ` ON CONFLICT (${c.target.map(quoteIdent).join(", ")}) DO NOTHING`;
  const set = c.update.map((col) => `${quoteIdent(col)} = excluded.${quoteIdent(col)}`).join(", ");
  const differs = c.update.map((col) => `${table}.${quoteIdent(col)} IS DISTINCT FROM excluded.${quoteIdent(col)}`).join(" OR ");
  return ` ON CONFLICT (${c.target.map(quoteIdent).join(", ")}) DO UPDATE SET ${set} WHERE ${differs}`;
}
