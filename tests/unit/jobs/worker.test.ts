import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type Database from "better-sqlite3";
import { freshDb } from "./helpers";
import { Worker } from "@/workers/worker";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { PermanentJobError } from "@/lib/jobs/errors";
import type { TaskList } from "@/lib/jobs/tasks";

let db: Database.Database;
let worker: Worker | null = null;
const logs: string[] = [];
beforeEach(async () => {
  db = await freshDb();
  logs.length = 0;
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});

const settings = { pollMs: 10, heartbeatMs: 20, leaseMs: 5000, retryBaseMs: 10, retryMaxMs: 100, concurrency: 2, schedulerMs: 60_000, shutdownGraceMs: 200 };
function start(tasks: TaskList): Worker {
  worker = new Worker({ tasks, settings, workerId: "unit", log: (l) => logs.push(l) });
  worker.start();
  return worker;
}
const job = (id: number) => db.prepare(`SELECT "status", "attempts", "lastError", "lockedBy" FROM "Job" WHERE "id" = ?`).get(id) as {
  status: string;
  attempts: number;
  lastError: string | null;
  lockedBy: string | null;
};
async function until(probe: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !probe(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(probe()).toBe(true);
}

describe("the worker loop (in process)", () => {
  it("retries a throwing task and finishes it when it succeeds", async () => {
    let calls = 0;
    const { id } = enqueueJob("flaky", {});
    start({
      flaky: async () => {
        if (++calls < 3) throw new Error(`flake ${calls}`);
      },
    });
    await until(() => job(id).status === "succeeded");
    expect(job(id)).toEqual({ status: "succeeded", attempts: 3, lastError: null, lockedBy: null });
    expect(logs.some((l) => l.includes("attempt 1 failed, retry at"))).toBe(true);
  });

  it("fails a permanent error at once and runs the hook in the same transaction; a throwing hook cannot wedge the job", async () => {
    const seen: string[] = [];
    const a = enqueueJob("bad", { n: 1 }, { maxAttempts: 5 });
    const b = enqueueJob("hookless", {}, { maxAttempts: 1 });
    start({
      bad: {
        run: async () => {
          throw new PermanentJobError("cannot work");
        },
        onFailed: (payload, info) => seen.push(`${JSON.stringify(payload)} ${info.final} ${info.error}`),
      },
      hookless: {
        run: async () => {
          throw new Error("x");
        },
        onFailed: () => {
          throw new Error("hook bug");
        },
      },
    });
    await until(() => job(a.id).status === "failed" && job(b.id).status === "failed");
    expect(job(a.id)).toMatchObject({ attempts: 1, lastError: "cannot work" });
    expect(seen).toEqual([`{"n":1} true cannot work`]);
    expect(logs.some((l) => l.includes("onFailed hook failed: hook bug"))).toBe(true);
  });

  it("on stop, puts back a task that honours the signal, and by force one that ignores it", async () => {
    const released: unknown[] = [];
    const polite = enqueueJob("polite", { p: 1 });
    const stubborn = enqueueJob("stubborn", {});
    let started = 0;
    const w = start({
      polite: {
        run: (_payload, helpers) =>
          new Promise<void>((_resolve, reject) => {
            started++;
            helpers.signal.addEventListener("abort", () => reject(new Error("stopped")));
          }),
        onReleased: (payload) => released.push(payload),
      },
      stubborn: async () => {
        started++;
        await new Promise(() => undefined); // never settles
      },
    });
    await until(() => started === 2);
    await w.stop();
    worker = null;
    expect(job(polite.id)).toEqual({ status: "queued", attempts: 0, lastError: null, lockedBy: null });
    expect(job(stubborn.id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
    expect(released).toEqual([{ p: 1 }]);
    expect(logs.some((l) => l.includes(`job ${stubborn.id}: put back in the queue (forced)`))).toBe(true);
  });
});
