import { spawn } from "node:child_process";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, seedSeries, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { apiRun } from "./helpers/api";
import { db as sharedDb } from "../../lib/db/client";
import type { Db } from "../../lib/db/types";
import { requestRun } from "../../lib/runs/request";

/**
 * The training thread's limits with a real worker process and tiny limits: a run past its time,
 * its memory guard (typed arrays) or its heap (V8's resourceLimits) fails with a message naming
 * the limit, and the same worker process goes on to train the next run.
 */
let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

async function setup(): Promise<{ db: Db; seriesId: number }> {
  const t = await useDatabase();
  const db = t.connect();
  return { db, seriesId: await seedSeries(db) };
}

async function queue(seriesId: number, config: Record<string, number>): Promise<number> {
  const r = await requestRun(sharedDb(), seriesId, { horizon: 5, ...config });
  if (r.kind !== "created") throw new Error(`run not created: ${r.kind}`);
  return r.run.id;
}

const status = async (db: Db, id: number) => (await db.get<{ status: string }>(`SELECT "status" FROM "Run" WHERE "id" = ?`, [id]))!.status;
const ended = (db: Db, ...ids: number[]) => async () => {
  for (const id of ids) if (!["succeeded", "failed", "cancelled"].includes(await status(db, id))) return false;
  return true;
};

describe(`the training thread's limits (real worker processes) on ${TEST_DATABASE}`, () => {
  it("a run past TIDECAST_MAX_RUN_MINUTES fails with the limit named; the worker trains the next run", async () => {
    const { db, seriesId } = await setup();
    const slow = await queue(seriesId, { epochs: 400 }); // 400 epochs of 50 ms: 20 s, far past 1.5 s
    const quick = await queue(seriesId, { epochs: 3 });
    const worker = await spawnWorker({ FAKE_EPOCH_MS: "50", TIDECAST_MAX_RUN_MINUTES: "0.025" });
    handles.push(worker);
    await waitFor(ended(db, slow, quick), 30_000, "both runs to end");
    const failed = await apiRun(slow);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^The training ran longer than its time limit of 1\.5 s \(TIDECAST_MAX_RUN_MINUTES\) and was stopped at epoch \d+; nothing was saved\./);
    expect(failed.job).toMatchObject({ status: "failed", attempts: 1 }); // not retried: it would time out again
    expect(failed.progress.epochsDone).toBeLessThan(400);
    expect(await status(db, quick)).toBe("succeeded");
    expect(worker.proc.exitCode).toBeNull();
  });

  it("a training whose typed arrays pass TIDECAST_TRAINING_MEMORY_MB is stopped by the memory guard; the worker carries on", async () => {
    const { db, seriesId } = await setup();
    const hog = await queue(seriesId, { epochs: 40, learningRate: 0.03125 }); // +64 MB of Float64Array per epoch
    const quick = await queue(seriesId, { epochs: 3 });
    const worker = await spawnWorker({ FAKE_EPOCH_MS: "30", TIDECAST_TRAINING_MEMORY_MB: "400" });
    handles.push(worker);
    await waitFor(ended(db, hog, quick), 30_000, "both runs to end");
    const failed = await apiRun(hog);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/^The training used \d+ MB, over its memory limit of 400 MB \(TIDECAST_TRAINING_MEMORY_MB\), and was stopped; nothing was saved\./);
    // 400 MB holds at most six 64 MB arrays beside the thread's own heap, and the guard measures at
    // most every 100 ms (MEMORY_CHECK_MS), i.e. every ~4 epochs of 30 ms: it stopped within 7 + 4.
    expect(failed.progress.epochsDone).toBeGreaterThanOrEqual(6);
    expect(failed.progress.epochsDone).toBeLessThanOrEqual(11);
    const usedMb = Number(/used (\d+) MB/.exec(failed.error!)![1]);
    expect(usedMb).toBeGreaterThan(400);
    expect(usedMb).toBeLessThan(400 + 5 * 64);
    expect(failed.job).toMatchObject({ status: "failed", attempts: 1 });
    expect(await status(db, quick)).toBe("succeeded");
    expect(worker.proc.exitCode).toBeNull();
  });

  it("a training that fills its heap is ended by V8's resourceLimits, not the process; the worker carries on", async () => {
    const { db, seriesId } = await setup();
    const hog = await queue(seriesId, { epochs: 5, learningRate: 0.015625 }); // allocates without ever checking
    const quick = await queue(seriesId, { epochs: 3 });
    const worker = await spawnWorker({ FAKE_EPOCH_MS: "10", TIDECAST_TRAINING_MEMORY_MB: "128" });
    handles.push(worker);
    await waitFor(ended(db, hog, quick), 60_000, "both runs to end");
    const failed = await apiRun(hog);
    expect(failed.status).toBe("failed");
    expect(failed.error).toBe(
      "The training ran out of memory: its heap reached the limit of 128 MB (TIDECAST_TRAINING_MEMORY_MB) and it was stopped; nothing was saved. " +
        "Use a smaller batch size, hidden size or lookback, or raise the limit.",
    );
    expect(failed.job).toMatchObject({ status: "failed", attempts: 1 });
    expect(await status(db, quick)).toBe("succeeded");
    expect(worker.proc.exitCode).toBeNull();
  });
});

/**
 * The test worker started as `npm run worker` and scripts/start.ts start it (`node --import tsx`,
 * no tsx CLI in between to relay, or cut short, its signals), in its own process group.
 */
function startedWorker(env: Record<string, string>) {
  const root = path.resolve(import.meta.dirname, "../..");
  const proc = spawn(process.execPath, ["--import", "tsx", "tests/integration/helpers/test-worker.ts"], {
    cwd: root,
    detached: true,
    env: { ...process.env, TIDECAST_POLL_MS: "100", TIDECAST_LEASE_MS: "3000", TIDECAST_HEARTBEAT_MS: "500", TIDECAST_SHUTDOWN_GRACE_MS: "10000", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
  /** Ctrl-C under npm start: the terminal signals the group (here the worker), and scripts/start.ts's stop("SIGINT") forwards its own copy. */
  const ctrlC = () => {
    process.kill(-proc.pid!, "SIGINT");
    process.kill(proc.pid!, "SIGINT");
  };
  const kill = () => {
    if (proc.exitCode === null) process.kill(-proc.pid!, "SIGKILL");
  };
  return { output: () => out, exited, ctrlC, kill };
}

const epochsDone = async (db: Db, runId: number) => (await db.get<{ epochsDone: number }>(`SELECT "epochsDone" FROM "Run" WHERE "id" = ?`, [runId]))?.epochsDone ?? 0;

describe(`Ctrl-C on a worker started as npm start starts it, on ${TEST_DATABASE}`, () => {
  it("one Ctrl-C under npm start (the group's SIGINT and start.ts's forwarded one) lets the epoch finish and exits 0", async () => {
    const { db, seriesId } = await setup();
    const runId = await queue(seriesId, { epochs: 400 });
    const worker = startedWorker({ FAKE_EPOCH_MS: "200" });
    try {
      await waitFor(async () => (await epochsDone(db, runId)) >= 2, 30_000, "training to start");
      worker.ctrlC();
      expect(await worker.exited).toBe(0);
      expect(worker.output()).toContain("SIGINT: finishing the current epoch, then putting running jobs back");
      expect(worker.output()).not.toContain("again: putting running jobs back now");
      expect(worker.output()).toContain("put back in the queue (shutdown)");
      expect(await status(db, runId)).toBe("queued");
    } finally {
      worker.kill();
    }
  });

  it("a second Ctrl-C a moment later puts the job back at once and exits 1", async () => {
    const { db, seriesId } = await setup();
    const runId = await queue(seriesId, { epochs: 400 });
    const worker = startedWorker({ FAKE_EPOCH_MS: "4000" }); // an epoch outlasts both presses
    try {
      await waitFor(async () => (await epochsDone(db, runId)) >= 1, 30_000, "the first epoch"); // the second has just begun
      worker.ctrlC();
      await new Promise((r) => setTimeout(r, 1500));
      worker.ctrlC();
      expect(await worker.exited).toBe(1);
      expect(worker.output()).toContain("SIGINT again: putting running jobs back now");
      expect(await status(db, runId)).toBe("queued");
    } finally {
      worker.kill();
    }
  });
});
