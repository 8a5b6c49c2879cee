import fs from "node:fs";
import { parentPort } from "node:worker_threads";
import { openDb } from "../db/client";
import { refusalOf, type Refusal } from "../datasets/upload";
import { importUpload, type ImportRequest, type ImportResult } from "./import";

/**
 * The import thread (started by offload.ts): reads a spooled upload, parses it and stores it on
 * its own connection, so neither the parse nor SQLite's synchronous bulk write runs on the web
 * app's event loop. One import at a time; the connection is opened for each and closed after it,
 * so an idle thread holds no database.
 */
export interface ImportJob {
  id: number;
  file: string;
  databaseUrl: string;
  request: ImportRequest;
}

export type ImportReply =
  | { id: number; type: "done"; result: ImportResult }
  | { id: number; type: "refused"; refusal: Refusal }
  | { id: number; type: "error"; message: string; stack: string | null };

const port = parentPort!;

async function handle(job: ImportJob): Promise<ImportReply> {
  const db = openDb(job.databaseUrl, { applicationName: "tidecast-import", poolMax: 2 });
  try {
    const bytes = new Uint8Array(await fs.promises.readFile(job.file));
    return { id: job.id, type: "done", result: await importUpload(db, bytes, job.request) };
  } catch (err) {
    const refusal = refusalOf(err);
    if (refusal) return { id: job.id, type: "refused", refusal };
    const e = err instanceof Error ? err : new Error(String(err));
    return { id: job.id, type: "error", message: e.message, stack: e.stack ?? null };
  } finally {
    await db.close();
  }
}

let queue = Promise.resolve();
port.on("message", (job: ImportJob) => {
  queue = queue.then(async () => port.postMessage(await handle(job)));
});
port.postMessage({ type: "ready" });
