import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable, Transform, type TransformCallback } from "node:stream";
import { pipeline } from "node:stream/promises";
import busboy from "busboy";

/**
 * Streams a multipart/form-data upload (busboy) with one file field: the file goes to a
 * temporary file as it arrives, counted byte by byte, so the size limit holds whether or not the
 * client declared a Content-Length, and a refused upload never sits in memory. Small text fields
 * are collected. The caller reads the spooled file once it knows the upload is whole, and calls
 * `dispose()` in every case.
 */
export interface SpooledUpload {
  fileName: string;
  /** where the file is spooled (until dispose) */
  path: string;
  /** the file's bytes, read from the spool */
  read(): Promise<Uint8Array>;
  fields: Record<string, string>;
  bytes: number;
  dispose(): Promise<void>;
}

export type UploadOutcome =
  | { kind: "ok"; upload: SpooledUpload }
  | { kind: "too-large"; limit: number }
  | { kind: "missing-file" }
  | { kind: "bad-multipart"; message: string };

class TooLarge extends Error {}

/** Counts bytes and fails the pipeline past `limit`. */
function limiter(limit: number, onBytes: (n: number) => void): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      onBytes(seen);
      if (seen > limit) done(new TooLarge());
      else done(null, chunk);
    },
  });
}

export async function readUpload(req: Request, opts: { fileField: string; limit: number; maxFieldBytes?: number }): Promise<UploadOutcome> {
  if (!req.body) return { kind: "missing-file" };
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "tidecast-upload-"));
  const spool = path.join(dir, "file");
  const dispose = () => fs.promises.rm(dir, { recursive: true, force: true });
  const fields: Record<string, string> = {};
  let fileName = "";
  let bytes = 0;
  let fileWrite: Promise<void> | null = null;

  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { "content-type": req.headers.get("content-type") ?? "" },
      limits: { files: 1, fields: 10, fieldSize: opts.maxFieldBytes ?? 4096, parts: 12, headerPairs: 20 },
    });
  } catch (err) {
    await dispose();
    return { kind: "bad-multipart", message: (err as Error).message };
  }
  const source = Readable.fromWeb(req.body as import("node:stream/web").ReadableStream<Uint8Array>);
  const parsed = new Promise<void>((resolve, reject) => {
    parser.on("field", (name, value) => {
      fields[name] = value;
    });
    parser.on("file", (name, stream, info) => {
      if (name !== opts.fileField || fileWrite) {
        stream.resume(); // not ours: skip its bytes
        return;
      }
      fileName = info.filename ?? "";
      fileWrite = pipeline(stream, limiter(opts.limit, (n) => (bytes = n)), fs.createWriteStream(spool));
      // Stop reading the request at once when the file passes the limit.
      fileWrite.catch((err: unknown) => reject(err));
    });
    parser.on("close", () => resolve());
    parser.on("error", (err) => reject(err));
  });
  try {
    await Promise.all([pipeline(source, parser), parsed]);
    if (fileWrite) await fileWrite;
  } catch (err) {
    source.destroy();
    await dispose();
    if (err instanceof TooLarge) return { kind: "too-large", limit: opts.limit };
    return { kind: "bad-multipart", message: (err as Error).message };
  }
  if (!fileWrite) {
    await dispose();
    return { kind: "missing-file" };
  }
  return {
    kind: "ok",
    upload: { fileName, path: spool, fields, bytes, dispose, read: async () => new Uint8Array(await fs.promises.readFile(spool)) },
  };
}
