import { describe, expect, it } from "vitest";
import { TEST_DATABASE, databasePerTest } from "../helpers/database";
import { enqueueJob } from "@/lib/queue/enqueue";
import { claimJob, claimJobs } from "@/lib/queue/claim";
import { heartbeatJob } from "@/lib/queue/heartbeat";
import { finishJob, finishJobs } from "@/lib/queue/finish";
import { failJob } from "@/lib/queue/fail";
import { releaseJob } from "@/lib/queue/release";
import { cancelQueuedJob } from "@/lib/queue/cancel";
import { hasExpiredLeases, recoverExpiredJobs } from "@/lib/queue/recover";
import { backoffMs, queueSettings } from "@/lib/queue/settings";
import { leaseOf, type JobRow } from "@/lib/queue/types";

// Every queue operation takes "now" from its caller, so these tests run on a fixed clock: what
// they check never depends on how fast the machine happens to be.
const T0 = new Date("2026-03-01T12:00:00.000Z");
const at = (ms: number) => new Date(T0.getTime() + ms);

describe(`the job queue on ${TEST_DATABASE}`, () => {
  const t = databasePerTest();
  const job = async (id: number) => (await t.db.get<JobRow>(`SELECT * FROM "Job" WHERE "id" = ?`, [id]))!;

  it("claims the oldest due job of a known kind, once, and counts the attempt", async () => {
    const db = t.db;
    const later = await enqueueJob(db, "a", { n: 0 }, { now: T0, runAt: at(60_000) });
    const first = await enqueueJob(db, "a", { n: 1 }, { now: T0 });
    const other = await enqueueJob(db, "b", { n: 2 }, { now: T0 });
    const second = await enqueueJob(db, "a", { n: 3 }, { now: T0 });
    const c1 = (await claimJob(db, "w1", ["a"], 10_000, at(1)))!;
    expect(c1).toMatchObject({ id: first.id, status: "running", attempts: 1, lockedBy: "w1", lockedUntil: at(10_001) });
    expect((await claimJob(db, "w2", ["a"], 10_000, at(2)))!.id).toBe(second.id);
    expect(await claimJob(db, "w3", ["a"], 10_000, at(3))).toBeNull(); // `later` is not due, `other` is another kind
    expect((await claimJob(db, "w3", ["b"], 10_000, at(4)))!.id).toBe(other.id);
    expect((await job(later.id)).status).toBe("queued");
    expect(await claimJob(db, "w3", [], 10_000, at(5))).toBeNull();
    expect((await claimJob(db, "w3", ["a"], 10_000, at(60_000)))!.id).toBe(later.id); // due now
  });

  it("claims a batch of due jobs oldest first, each exactly once", async () => {
    const db = t.db;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await enqueueJob(db, "a", { i }, { now: at(i) })).id);
    const batch = await claimJobs(db, "w1", ["a"], 10_000, 3, at(10));
    expect(batch.map((j) => j.id)).toEqual(ids.slice(0, 3));
    expect(batch.every((j) => j.lockedBy === "w1" && j.attempts === 1)).toBe(true);
    expect((await claimJobs(db, "w2", ["a"], 10_000, 10, at(11))).map((j) => j.id)).toEqual(ids.slice(3));
    expect(await claimJobs(db, "w3", ["a"], 10_000, 10, at(12))).toEqual([]);
  });

  it("keeps a worker whose lease expired from touching the job another worker re-claimed", async () => {
    const db = t.db;
    const { id } = await enqueueJob(db, "a", {}, { now: T0 });
    const stale = leaseOf((await claimJob(db, "w1", ["a"], 30_000, T0))!);
    expect(await hasExpiredLeases(db, at(29_999))).toBe(false);
    expect(await recoverExpiredJobs(db, at(29_999))).toEqual([]); // the lease still runs
    expect(await hasExpiredLeases(db, at(30_001))).toBe(true);
    const recovered = await recoverExpiredJobs(db, at(30_001));
    expect(recovered.map((j) => [j.id, j.status])).toEqual([[id, "queued"]]);
    expect(recovered[0].lastError).toBe("The worker w1 stopped during attempt 1 (its lease expired).");
    const fresh = leaseOf((await claimJob(db, "w2", ["a"], 10_000, at(30_002)))!);
    expect(fresh.attempts).toBe(2);
    expect(await heartbeatJob(db, stale, 10_000, at(30_003))).toBe(false);
    expect(await finishJob(db, stale, at(30_003))).toBe(false);
    expect(await failJob(db, stale, "late", { retryDelayMs: 0, now: at(30_003) })).toBeNull();
    expect(await releaseJob(db, stale, at(30_003))).toBe(false);
    expect(await job(id)).toMatchObject({ status: "running", lockedBy: "w2", attempts: 2 });
    expect(await heartbeatJob(db, fresh, 10_000, at(31_000))).toBe(true);
    expect((await job(id)).lockedUntil).toEqual(at(41_000));
    expect(await finishJob(db, fresh, at(32_000))).toBe(true);
    expect(await job(id)).toMatchObject({ status: "succeeded", lockedBy: null, lockedUntil: null });
  });

  it("finishes a batch of held jobs in one statement, each fenced by its own token", async () => {
    const db = t.db;
    for (let i = 0; i < 4; i++) await enqueueJob(db, "a", { i }, { now: T0 });
    const [a, b, c, d] = (await claimJobs(db, "w1", ["a"], 10_000, 4, T0)).map(leaseOf);
    const stale = { ...c, attempts: c.attempts + 1 }; // not the token it holds
    const other = { ...d, workerId: "w2" };
    expect([...(await finishJobs(db, [a, b, stale, other], at(1)))].sort()).toEqual([a.jobId, b.jobId].sort());
    expect((await job(a.jobId)).status).toBe("succeeded");
    expect((await job(c.jobId)).status).toBe("running");
    expect((await job(d.jobId)).status).toBe("running");
    expect(await finishJobs(db, [a], at(2))).toEqual(new Set()); // already finished
    expect(await finishJobs(db, [], at(2))).toEqual(new Set());
  });

  it("recovery leaves leases that are still valid alone and fails a job on its last attempt", async () => {
    const db = t.db;
    const a = await enqueueJob(db, "a", {}, { maxAttempts: 1, now: T0 });
    const b = await enqueueJob(db, "a", {}, { now: T0 });
    await claimJob(db, "w1", ["a"], 50, T0);
    await claimJob(db, "w1", ["a"], 60_000, T0);
    const recovered = await recoverExpiredJobs(db, at(1000));
    expect(recovered.map((j) => [j.id, j.status])).toEqual([[a.id, "failed"]]);
    expect((await job(b.id)).status).toBe("running");
  });

  it("re-queues a failed attempt with a growing delay, then fails for good keeping the error", async () => {
    const db = t.db;
    const { id } = await enqueueJob(db, "a", {}, { maxAttempts: 3, now: T0 });
    let now = T0;
    for (let attempt = 1; attempt <= 3; attempt++) {
      const lease = leaseOf((await claimJob(db, "w", ["a"], 10_000, now))!);
      const failedAt = at(attempt * 1_000_000);
      const row = (await failJob(db, lease, `boom ${attempt}`, { retryDelayMs: backoffMs(attempt, 1000, 60_000), now: failedAt }))!;
      expect(row.lastError).toBe(`boom ${attempt}`);
      if (attempt < 3) {
        expect(row.status).toBe("queued");
        expect(row.runAt.getTime() - failedAt.getTime()).toBe(1000 * 2 ** (attempt - 1));
        expect(await claimJob(db, "w", ["a"], 10_000, new Date(row.runAt.getTime() - 1))).toBeNull(); // not before its runAt
        now = row.runAt;
      } else {
        expect(row.status).toBe("failed");
      }
    }
    expect(await job(id)).toMatchObject({ status: "failed", attempts: 3, lastError: "boom 3", lockedBy: null });
  });

  it("fails a permanent error at once", async () => {
    const db = t.db;
    const { id } = await enqueueJob(db, "a", {}, { maxAttempts: 5, now: T0 });
    const row = (await failJob(db, leaseOf((await claimJob(db, "w", ["a"], 10_000, T0))!), "diverged", { retryDelayMs: 1000, permanent: true, now: T0 }))!;
    expect(row).toMatchObject({ id, status: "failed", attempts: 1, lastError: "diverged" });
  });

  it("release puts a job back without counting the attempt", async () => {
    const db = t.db;
    const { id } = await enqueueJob(db, "a", {}, { now: T0 });
    expect(await releaseJob(db, leaseOf((await claimJob(db, "w", ["a"], 10_000, T0))!), at(1))).toBe(true);
    expect(await job(id)).toMatchObject({ status: "queued", attempts: 0, lockedBy: null });
    expect((await claimJob(db, "w2", ["a"], 10_000, at(2)))!.attempts).toBe(1);
  });

  it("cancelling a queued job wins over a later claim, and cannot cancel a running one", async () => {
    const db = t.db;
    const a = await enqueueJob(db, "a", {}, { now: T0 });
    const b = await enqueueJob(db, "a", {}, { now: T0 });
    expect(await cancelQueuedJob(db, a.id)).toBe(true);
    expect((await claimJob(db, "w", ["a"], 10_000))!.id).toBe(b.id);
    expect(await cancelQueuedJob(db, b.id)).toBe(false);
    expect((await job(a.id)).status).toBe("cancelled");
  });

  it("gives each of many concurrent claimers different jobs (separate connections)", async () => {
    const db = t.db;
    const ids: number[] = [];
    await db.transaction(async (tx) => {
      for (let i = 0; i < 40; i++) ids.push((await enqueueJob(tx, "a", { i }, { now: T0 })).id);
    });
    const claimers = Array.from({ length: 4 }, () => t.current.connect());
    const claimed = await Promise.all(
      claimers.map(async (c, w) => {
        const mine: number[] = [];
        for (;;) {
          const batch = await claimJobs(c, `w${w}`, ["a"], 10_000, 3, at(1));
          if (batch.length === 0) return mine;
          mine.push(...batch.map((j) => j.id));
        }
      }),
    );
    const all = claimed.flat().sort((x, y) => x - y);
    expect(all).toEqual(ids);
    expect(await t.db.get(`SELECT MAX("attempts") AS "max", COUNT(*) AS "n" FROM "Job" WHERE "status" = 'running'`)).toEqual({ max: 1, n: 40 });
  });
});

describe("queue settings", () => {
  it("reads the environment and rejects nonsense", () => {
    const s = queueSettings({ TIDECAST_LEASE_MS: "2000", TIDECAST_WORKER_CONCURRENCY: "3" });
    expect(s).toMatchObject({ leaseMs: 2000, heartbeatMs: 500, concurrency: 3, busyTimeoutMs: null });
    expect(queueSettings({}).concurrency).toBeGreaterThanOrEqual(1);
    expect(() => queueSettings({ TIDECAST_POLL_MS: "fast" })).toThrow(/TIDECAST_POLL_MS must be an integer/);
  });

  it("doubles the backoff from the base up to the cap", () => {
    expect([1, 2, 3, 4, 5].map((a) => backoffMs(a, 100, 1000))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffMs(500, 100, 1000)).toBe(1000);
  });
});
