import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { databasePerTest } from "../helpers/database";
import { Worker } from "@/workers/worker";
import { enqueueJob } from "@/lib/queue/enqueue";
import { PermanentJobError } from "@/lib/queue/errors";
import type { TaskList } from "@/lib/queue/tasks";

const t = databasePerTest();
let worker: Worker | null = null;
const logs: string[] = [];
beforeEach(() => {
  logs.length = 0;
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});

const settings = { pollMs: 10, heartbeatMs: 20, leaseMs: 5000, retryBaseMs: 10, retryMaxMs: 100, concurrency: 2, schedulerMs: 60_000, shutdownGraceMs: 200 };
function start(tasks: TaskList): Worker {
  worker = new Worker({ tasks, settings, db: t.db, workerId: "unit", log: (l) => logs.push(l) });
  worker.start();
  return worker;
}
const job = async (id: number) =>
  (await t.db.get<{ status: string; attempts: number; lastError: string | null; lockedBy: string | null }>(
    `SELECT "status", "attempts", "lastError", "lockedBy" FROM "Job" WHERE "id" = ?`,
    [id],
  ))!;
async function until(probe: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await probe()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await probe()).toBe(true);
}

describe("jobs", () => {
  it("retries a throwing task and finishes it when it succeeds", async () => {
    let calls = 0;
    const { id } = await enqueueJob(t.db, "flaky", {});
    start({
      flaky: async () => {
        if (++calls < 3) throw new Error(`flake ${calls}`);
      },
    });
    await until(async () => (await job(id)).status === "succeeded");
    expect(await job(id)).toEqual({ status: "succeeded", attempts: 3, lastError: null, lockedBy: null });
    expect(logs.some((l) => l.includes("attempt 1 failed, retry at"))).toBe(true);
  });

  it("fails a permanent error at once and runs the hook in the same transaction; a throwing hook cannot wedge the job", async () => {
    const seen: string[] = [];
    const a = await enqueueJob(t.db, "bad", { n: 1 }, { maxAttempts: 5 });
    const b = await enqueueJob(t.db, "hookless", {}, { maxAttempts: 1 });
    start({
      bad: {
        run: async () => {
          throw new PermanentJobError("cannot work");
        },
        onFailed: async (payload, info) => void seen.push(`${JSON.stringify(payload)} ${info.final} ${info.error}`),
      },
      hookless: {
        run: async () => {
          throw new Error("x");
        },
        onFailed: async (_payload, _info, tx) => {
          await tx.run(`UPDATE "Job" SET "lastError" = 'written by the hook' WHERE "id" = ?`, [b.id]);
          throw new Error("hook bug");
        },
      },
    });
    await until(async () => (await job(a.id)).status === "failed" && (await job(b.id)).status === "failed");
    expect(await job(a.id)).toMatchObject({ attempts: 1, lastError: "cannot work" });
    expect(await job(b.id)).toMatchObject({ attempts: 1, lastError: "x" }); // the failed hook's own write was rolled back
    expect(seen).toEqual([`{"n":1} true cannot work`]);
    expect(logs.some((l) => l.includes("onFailed hook failed: hook bug"))).toBe(true);
  });

  it("on stop, puts back a task that honours the signal, and by force one that ignores it", async () => {
    const released: unknown[] = [];
    const polite = await enqueueJob(t.db, "polite", { p: 1 });
    const stubborn = await enqueueJob(t.db, "stubborn", {});
    let started = 0;
    const w = start({
      polite: {
        run: (_payload, helpers) =>
          new Promise<void>((_resolve, reject) => {
            started++;
            helpers.signal.addEventListener("abort", () => reject(new Error("stopped")));
          }),
        onReleased: async (payload) => void released.push(payload),
      },
      stubborn: async () => {
        started++;
        await new Promise(() => undefined); // never settles
      },
    });
    await until(async () => started === 2);
    await w.stop();
    worker = null;
    expect(await job(polite.id)).toEqual({ status: "queued", attempts: 0, lastError: null, lockedBy: null });
    expect(await job(stubborn.id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
    expect(released).toEqual([{ p: 1 }]);
    expect(logs.some((l) => l.includes(`job ${stubborn.id}: put back in the queue (forced)`))).toBe(true);
  });
});
