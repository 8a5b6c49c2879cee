import { beforeEach, describe, expect, it } from "vitest";
import type Database from "better-sqlite3";
import { freshDb } from "./helpers";
import { enqueueJob } from "@/lib/jobs/enqueue";
import { claimJob } from "@/lib/jobs/claim";
import { heartbeatJob } from "@/lib/jobs/heartbeat";
import { finishJob } from "@/lib/jobs/finish";
import { failJob } from "@/lib/jobs/fail";
import { releaseJob } from "@/lib/jobs/release";
import { cancelQueuedJob } from "@/lib/jobs/cancel";
import { recoverExpiredJobs } from "@/lib/jobs/recover";
import { backoffMs, queueSettings } from "@/lib/jobs/settings";
import { leaseOf } from "@/lib/jobs/types";

let db: Database.Database;
beforeEach(async () => {
  db = await freshDb();
});

const job = (id: number) => db.prepare(`SELECT * FROM "Job" WHERE "id" = ?`).get(id) as Record<string, unknown>;

describe("claim", () => {
  it("takes the oldest due job of a known kind, once, and counts the attempt", () => {
    const later = enqueueJob("a", { n: 0 }, { runAt: new Date(Date.now() + 60_000) });
    const first = enqueueJob("a", { n: 1 });
    const other = enqueueJob("b", { n: 2 });
    const second = enqueueJob("a", { n: 3 });
    const c1 = claimJob("w1", ["a"], 10_000)!;
    expect(c1).toMatchObject({ id: first.id, status: "running", attempts: 1, lockedBy: "w1" });
    expect(Date.parse(c1.lockedUntil!)).toBeGreaterThan(Date.now() + 9_000);
    expect(claimJob("w2", ["a"], 10_000)!.id).toBe(second.id);
    expect(claimJob("w3", ["a"], 10_000)).toBeNull(); // `later` is not due, `other` is another kind
    expect(claimJob("w3", ["b"], 10_000)!.id).toBe(other.id);
    expect(job(later.id).status).toBe("queued");
    expect(claimJob("w3", [], 10_000)).toBeNull();
  });
});

describe("the fencing token (lockedBy, attempts)", () => {
  it("keeps a worker whose lease expired from touching the job another worker re-claimed", async () => {
    const { id } = enqueueJob("a", {});
    const stale = leaseOf(claimJob("w1", ["a"], 30)!);
    expect(recoverExpiredJobs(db)).toEqual([]); // the lease still runs
    await new Promise((r) => setTimeout(r, 60));
    const recovered = recoverExpiredJobs(db);
    expect(recovered.map((j) => [j.id, j.status])).toEqual([[id, "queued"]]);
    expect(recovered[0].lastError).toBe("The worker w1 stopped during attempt 1 (its lease expired).");
    const fresh = leaseOf(claimJob("w2", ["a"], 10_000)!);
    expect(fresh.attempts).toBe(2);
    expect(heartbeatJob(stale, 10_000)).toBe(false);
    expect(finishJob(stale)).toBe(false);
    expect(failJob(stale, "late", { retryDelayMs: 0 })).toBeNull();
    expect(releaseJob(stale)).toBe(false);
    expect(job(id)).toMatchObject({ status: "running", lockedBy: "w2", attempts: 2 });
    expect(heartbeatJob(fresh, 10_000)).toBe(true);
    expect(finishJob(fresh)).toBe(true);
    expect(job(id)).toMatchObject({ status: "succeeded", lockedBy: null, lockedUntil: null });
  });

  it("recovery leaves leases that are still valid alone and fails a job on its last attempt", () => {
    const a = enqueueJob("a", {}, { maxAttempts: 1 });
    const b = enqueueJob("a", {});
    claimJob("w1", ["a"], 50);
    claimJob("w1", ["a"], 60_000);
    const recovered = recoverExpiredJobs(db, new Date(Date.now() + 1000));
    expect(recovered.map((j) => [j.id, j.status])).toEqual([[a.id, "failed"]]);
    expect(job(b.id).status).toBe("running");
  });
});

describe("fail with exponential backoff", () => {
  it("re-queues with a growing delay, then fails for good keeping the error", () => {
    const { id } = enqueueJob("a", {}, { maxAttempts: 3 });
    for (let attempt = 1; attempt <= 3; attempt++) {
      db.prepare(`UPDATE "Job" SET "runAt" = ? WHERE "id" = ?`).run("2000-01-01T00:00:00.000+00:00", id);
      const lease = leaseOf(claimJob("w", ["a"], 10_000)!);
      const before = Date.now();
      const row = failJob(lease, `boom ${attempt}`, { retryDelayMs: backoffMs(attempt, 1000, 60_000) })!;
      expect(row.lastError).toBe(`boom ${attempt}`);
      if (attempt < 3) {
        expect(row.status).toBe("queued");
        const delay = Date.parse(row.runAt) - before;
        expect(delay).toBeGreaterThanOrEqual(1000 * 2 ** (attempt - 1) - 5);
        expect(delay).toBeLessThan(1000 * 2 ** (attempt - 1) + 1000);
        expect(claimJob("w", ["a"], 10_000)).toBeNull(); // not before its runAt
      } else {
        expect(row.status).toBe("failed");
      }
    }
    expect(job(id)).toMatchObject({ status: "failed", attempts: 3, lastError: "boom 3", lockedBy: null });
  });

  it("fails a permanent error at once", () => {
    const { id } = enqueueJob("a", {}, { maxAttempts: 5 });
    const row = failJob(leaseOf(claimJob("w", ["a"], 10_000)!), "diverged", { retryDelayMs: 1000, permanent: true })!;
    expect(row).toMatchObject({ id, status: "failed", attempts: 1, lastError: "diverged" });
  });

  it("doubles from the base up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(500, 100, 1000)).toBe(1000);
  });
});

describe("release and cancel", () => {
  it("release puts a job back without counting the attempt", () => {
    const { id } = enqueueJob("a", {});
    expect(releaseJob(leaseOf(claimJob("w", ["a"], 10_000)!))).toBe(true);
    expect(job(id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
    expect(claimJob("w2", ["a"], 10_000)!.attempts).toBe(1);
  });

  it("cancelling a queued job wins over a later claim, and cannot cancel a running one", () => {
    const a = enqueueJob("a", {});
    const b = enqueueJob("a", {});
    expect(cancelQueuedJob(a.id)).toBe(true);
    expect(claimJob("w", ["a"], 10_000)!.id).toBe(b.id);
    expect(cancelQueuedJob(b.id)).toBe(false);
    expect(job(a.id).status).toBe("cancelled");
  });
});

describe("settings", () => {
  it("reads the environment and rejects nonsense", () => {
    const s = queueSettings({ TIDECAST_LEASE_MS: "2000", TIDECAST_WORKER_CONCURRENCY: "3" });
    expect(s).toMatchObject({ leaseMs: 2000, heartbeatMs: 500, concurrency: 3, busyTimeoutMs: null });
    expect(queueSettings({}).concurrency).toBeGreaterThanOrEqual(1);
    expect(() => queueSettings({ TIDECAST_POLL_MS: "fast" })).toThrow(/TIDECAST_POLL_MS must be an integer/);
  });
});
