import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { TEST_DATABASE, count, useDatabase } from "../helpers/database";
import { spawnWorker, stopAll, waitFor, type WorkerHandle } from "./helpers/spawn";
import { enqueueJob } from "../../lib/queue/enqueue";

let handles: WorkerHandle[] = [];
afterEach(async () => {
  await stopAll(handles);
  handles = [];
});

describe(`several worker processes draining one queue on ${TEST_DATABASE}`, () => {
  it("runs each of 300 jobs exactly once", async () => {
    const t = await useDatabase();
    const record = path.join(t.dir, "record.log");
    fs.writeFileSync(record, "");
    const env = { TEST_RECORD_FILE: record, TEST_RECORD_MS: "10", TIDECAST_WORKER_CONCURRENCY: "4", TIDECAST_POLL_MS: "20" };
    // Start the workers first, so that all of them compete for the jobs from the first one.
    handles.push(...(await Promise.all([spawnWorker(env), spawnWorker(env), spawnWorker(env)])));
    const db = t.connect();
    const ids = await db.transaction(async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 300; i++) out.push((await enqueueJob(tx, "test.record", { i })).id);
      return out;
    });

    await waitFor(async () => (await count(db, `SELECT COUNT(*) AS "n" FROM "Job" WHERE "status" = 'succeeded'`)) === 300, 60_000, "300 succeeded jobs");
    const lines = fs.readFileSync(record, "utf8").trim().split("\n");
    const seen = new Map<number, number>();
    const workers = new Set<string>();
    for (const line of lines) {
      const [id, worker] = line.split(" ");
      seen.set(Number(id), (seen.get(Number(id)) ?? 0) + 1);
      workers.add(worker);
    }
    expect(lines).toHaveLength(300);
    expect([...seen.keys()].sort((a, b) => a - b)).toEqual(ids);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Every job was claimed once: one attempt each, nothing left locked.
    const stats = await db.get(`SELECT MAX("attempts") AS "maxA", MIN("attempts") AS "minA", COUNT("lockedBy") AS "locked" FROM "Job"`);
    expect(stats).toEqual({ maxA: 1, minA: 1, locked: 0 });
    expect(workers.size).toBeGreaterThan(1);
    for (const h of handles) expect(h.proc.exitCode).toBeNull();
  });
});
