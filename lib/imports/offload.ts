import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { databaseUrl } from "../db/url";
import { ImportRefusal } from "../datasets/import";
import type { ImportRequest, ImportResult } from "./import";
import type { ImportJob, ImportReply } from "./thread";

/**
 * Imports off the calling thread's event loop: the web app hands a spooled upload to one
 * background thread (lib/imports/thread.ts), which parses and stores it on its own database
 * connection while the web app keeps answering. The thread starts on the first upload, takes
 * uploads one at a time (so at most one big file is in memory), and stops after a minute idle.
 * If it dies, the uploads it held fail with an error and the next one starts a new thread.
 *
 * The thread runs our TypeScript sources through tsx, as the worker's training threads do, from
 * the project folder the app runs in (the working directory of `npm start` / `next start`).
 */
const IDLE_MS = 60_000;

interface Waiter {
  resolve: (result: ImportResult) => void;
  reject: (err: Error) => void;
}

/** file URL of tsx's ESM API (the "import" condition of "tsx/esm/api"), from the project's node_modules. */
function tsxEsmApi(root: string): string {
  const manifest = createRequire(path.join(root, "package.json")).resolve("tsx/package.json");
  const { exports } = JSON.parse(fs.readFileSync(manifest, "utf8")) as { exports: Record<string, string | { import?: string | { default?: string } }> };
  const entry = exports["./esm/api"];
  const rel = typeof entry === "string" ? entry : typeof entry?.import === "string" ? entry.import : entry?.import?.default;
  if (!rel) throw new Error("tsx/esm/api not found: the import thread needs tsx to run from TypeScript sources");
  return pathToFileURL(path.join(path.dirname(manifest), rel)).href;
}

function bootCode(): string {
  const root = process.cwd();
  const entry = path.join(root, "lib", "imports", "thread.ts");
  if (!fs.existsSync(entry)) throw new Error(`The import thread's source (lib/imports/thread.ts) is not under ${root}: start Tidecast from its project folder.`);
  const url = JSON.stringify(pathToFileURL(entry).href);
  // Runs as a script in the thread (eval): load tsx's API, then the TypeScript entry through it.
  return `import(${JSON.stringify(tsxEsmApi(root))}).then(({ tsImport }) => tsImport(${url}, ${url}));`;
}

class ImportThread {
  private worker: Worker | null = null;
  private readonly waiting = new Map<number, Waiter>();
  private nextId = 1;
  private idleTimer: NodeJS.Timeout | null = null;

  run(file: string, request: ImportRequest, url: string): Promise<ImportResult> {
    const worker = this.worker ?? this.start();
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
    worker.ref(); // an import in progress keeps the process alive
    const job: ImportJob = { id: this.nextId++, file, databaseUrl: url, request };
    return new Promise<ImportResult>((resolve, reject) => {
      this.waiting.set(job.id, { resolve, reject });
      worker.postMessage(job);
    });
  }

  private start(): Worker {
    const worker = new Worker(bootCode(), { eval: true });
    this.worker = worker;
    worker.on("message", (reply: ImportReply | { type: "ready" }) => {
      if (reply.type === "ready") return;
      const waiter = this.waiting.get(reply.id);
      if (!waiter) return;
      this.waiting.delete(reply.id);
      if (reply.type === "done") waiter.resolve(reply.result);
      else if (reply.type === "refused") waiter.reject(new ImportRefusal(reply.refusal.status, reply.refusal.code, reply.refusal.message, reply.refusal.details));
      else waiter.reject(Object.assign(new Error(reply.message), { stack: reply.stack ?? undefined }));
      if (this.waiting.size === 0) this.idle(worker);
    });
    const fail = (err: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      if (this.idleTimer) clearTimeout(this.idleTimer);
      for (const w of this.waiting.values()) w.reject(err);
      this.waiting.clear();
    };
    worker.on("error", (err) => fail(new Error(`The import thread failed: ${err.message}`)));
    worker.on("exit", (code) => fail(new Error(`The import thread exited (code ${code}) before it answered.`)));
    return worker;
  }

  private idle(worker: Worker): void {
    worker.unref();
    this.idleTimer = setTimeout(() => {
      if (this.worker === worker && this.waiting.size === 0) {
        this.worker = null;
        void worker.terminate();
      }
    }, IDLE_MS);
    this.idleTimer.unref();
  }
}

// On globalThis: Next.js bundles this module into more than one chunk, and all share one thread.
const globalForThread = globalThis as typeof globalThis & { __tidecastImportThread?: ImportThread };

/**
 * Imports the CSV spooled at `file` in the import thread, into DATABASE_URL's database. Resolves
 * with what importUpload resolves; rejects with an ImportRefusal (a 4xx: the file's content, or
 * what was asked) or an Error.
 */
export function importInThread(file: string, request: ImportRequest): Promise<ImportResult> {
  globalForThread.__tidecastImportThread ??= new ImportThread();
  return globalForThread.__tidecastImportThread.run(file, request, databaseUrl());
}
