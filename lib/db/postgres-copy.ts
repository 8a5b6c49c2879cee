import type pg from "pg";
import { from as copyFrom } from "pg-copy-streams";

/**
 * COPY … FROM STDIN, in one of PostgreSQL's two formats:
 * - binary, for rows of numbers only (a typed array or a constant per column, into integer and
 *   float columns): fixed-size big-endian fields written straight into a buffer. Three times
 *   cheaper to produce than text (no number-to-string of every double), and cheaper for the
 *   server to read (no float parsing).
 * - text, for everything else: tab-separated lines, NULL as `\N`, with backslash, tab, newline
 *   and carriage return escaped. Values come already encoded by the driver (strings, numbers,
 *   booleans, Buffers, null).
 */
function field(v: unknown): string {
  if (v === null || v === undefined) return "\\N";
  if (typeof v === "number") return String(v);
  if (typeof v === "boolean") return v ? "t" : "f";
  if (Buffer.isBuffer(v)) return `\\\\x${v.toString("hex")}`;
  return String(v).replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
}

const CHUNK_BYTES = 1 << 20;

/** Streams the chunks into a COPY, waiting when the connection is behind; the first error ends it. */
async function copyChunks(client: pg.PoolClient, sql: string, chunks: Iterable<string | Buffer>): Promise<void> {
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
  try {
    for (const chunk of chunks) {
      if (failed !== null) break;
      if (!stream.write(chunk)) await Promise.race([new Promise<void>((resolve) => stream.once("drain", resolve)), done]);
    }
  } catch (err) {
    // An encoding error of ours: end the COPY with it, so the server discards the rows sent so far.
    stream.destroy(err as Error);
    await done.catch(() => undefined);
    throw err;
  }
  if (failed !== null) throw failed;
  stream.end();
  await done;
}

function* textChunks(rows: number, width: number, valueAt: (row: number, col: number) => unknown): Generator<string> {
  let chunk = "";
  for (let r = 0; r < rows; r++) {
    let line = field(valueAt(r, 0));
    for (let c = 1; c < width; c++) line += `\t${field(valueAt(r, c))}`;
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_BYTES) {
      yield chunk;
      chunk = "";
    }
  }
  if (chunk !== "") yield chunk;
}

export async function copyRows(client: pg.PoolClient, sql: string, rows: number, width: number, valueAt: (row: number, col: number) => unknown): Promise<void> {
  await copyChunks(client, sql, textChunks(rows, width, valueAt));
}

/** The column types COPY BINARY is written for here (pg_type.typname), with their field sizes. */
const BINARY_SIZES = { int2: 2, int4: 4, int8: 8, float4: 4, float8: 8 } as const;
export type BinaryType = keyof typeof BINARY_SIZES;
export const isBinaryType = (typname: string): typname is BinaryType => Object.hasOwn(BINARY_SIZES, typname);

/** A numeric column: its PostgreSQL type, and its value of a row (null for NULL; NaN and ±Infinity are NULL too). */
export interface BinaryColumn {
  name: string;
  type: BinaryType;
  valueAt: (row: number) => number | null;
}

// "PGCOPY\n\377\r\n\0", then the flags and the header extension's length (both 0).
const HEADER = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00, 0, 0, 0, 0, 0, 0, 0, 0]);
const TWO_32 = 2 ** 32;
const INTEGER_RANGE = { int2: 2 ** 15, int4: 2 ** 31, int8: 2 ** 63 } as const;

function notStorable(column: BinaryColumn, v: number): Error {
  return new RangeError(`COPY: column "${column.name}" (${column.type}) cannot hold ${v}`);
}

function* binaryChunks(rows: number, columns: readonly BinaryColumn[]): Generator<Buffer> {
  // Per row: a 2-byte field count, then per field a 4-byte length and the value.
  const rowBytes = 2 + columns.reduce((n, c) => n + 4 + BINARY_SIZES[c.type], 0);
  let buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, HEADER.length + rowBytes));
  let o = HEADER.copy(buf, 0);
  for (let r = 0; r < rows; r++) {
    if (o + rowBytes + 2 > buf.length) {
      yield buf.subarray(0, o);
      buf = Buffer.allocUnsafe(CHUNK_BYTES); // the chunk just written may still be queued: never reuse it
      o = 0;
    }
    o = buf.writeInt16BE(columns.length, o);
    for (const column of columns) {
      const v = column.valueAt(r);
      if (v === null || !Number.isFinite(v)) {
        o = buf.writeInt32BE(-1, o);
        continue;
      }
      const type = column.type;
      if (type === "float8") {
        o = buf.writeInt32BE(8, o);
        o = buf.writeDoubleBE(v, o);
        continue;
      }
      if (type === "float4") {
        o = buf.writeInt32BE(4, o);
        o = buf.writeFloatBE(v, o);
        continue;
      }
      // Integers, as text COPY would take them: whole numbers within the type's range.
      const range = INTEGER_RANGE[type];
      if (!Number.isInteger(v) || v < -range || v >= range || (type === "int8" && !Number.isSafeInteger(v))) throw notStorable(column, v);
      if (type === "int8") {
        const hi = Math.floor(v / TWO_32);
        o = buf.writeInt32BE(8, o);
        o = buf.writeInt32BE(hi, o);
        o = buf.writeUInt32BE(v - hi * TWO_32, o);
      } else if (type === "int4") {
        o = buf.writeInt32BE(4, o);
        o = buf.writeInt32BE(v, o);
      } else {
        o = buf.writeInt32BE(2, o);
        o = buf.writeInt16BE(v, o);
      }
    }
  }
  o = buf.writeInt16BE(-1, o); // the trailer
  yield buf.subarray(0, o);
}

/** COPY `sql` (which must say `WITH (FORMAT binary)`) from rows of numbers. */
export async function copyBinaryRows(client: pg.PoolClient, sql: string, rows: number, columns: readonly BinaryColumn[]): Promise<void> {
  await copyChunks(client, sql, binaryChunks(rows, columns));
}
