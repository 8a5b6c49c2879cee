import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/**
 * COPY … FROM STDIN in PostgreSQL's text format: rows are tab-separated lines, NULL is `\N`, and
 * backslash, tab, newline and carriage return inside values are escaped. Values come already
 * encoded by the driver (strings, numbers, booleans, Buffers, null).
 */
function field(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "t" : "f";
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString("hex")}`;
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

const CHUNK_BYTES = 1 << 20;

export async function copyRows(client: pg.PoolClient, sql: string, rows: number, width: number, valueAt: (row: number, col: number) => unknown): Promise<void> {
  const stream = client.query(copyFrom(sql));
  let failed: unknown = null;
  const done = new Promise<void>((resolve, reject) => {
    stream.on("finish", () => resolve());
    stream.on("error", (err) => {
      failed = err;
      reject(err);
    });
  });
  done.catch(() => undefined); // awaited below; an early error must not be an unhandled rejection
  let chunk = "";
  for (let r = 0; r < rows && failed === null; r++) {
    let line = field(valueAt(r, 0));
    for (let c = 1; c < width; c++) line += `\t${field(valueAt(r, c))}`;
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_BYTES) {
      const ok = stream.write(chunk);
      chunk = "";
      if (!ok) await Promise.race([new Promise<void>((resolve) => stream.once("drain", resolve)), done]);
    }
  }
  if (failed !== null) throw failed;
  stream.end(chunk);
  await done;
}
