import { execFileSync } from "node:child_process";
import { afterAll, describe, expect, it } from "vitest";
import { openDb } from "../../lib/db/client";
import { applyMigrations } from "../../lib/db/migrate";
import type { Db } from "../../lib/db/types";
import { enqueueJob } from "../../lib/queue/enqueue";
import { startPostgres, type PostgresServer } from "../../scripts/postgres-server";
import { spawnWorker, waitFor, type WorkerHandle } from "./helpers/spawn";

/**
 * Many hosts: four workers, each in its own network namespace with a veth pair to the
 * database's (the root namespace, where a cluster of this test's own listens on the host ends
 * of the pairs), reach PostgreSQL over TCP only. They drain 500 jobs while one is SIGKILLed and
 * another's link is cut for longer than the lease; every job's effect must land exactly once,
 * written by the attempt that finished it, and the cut-off worker must write nothing stale when
 * its link comes back. Needs root (ip netns); removes its namespaces, links, processes and
 * cluster afterwards, also when it fails.
 */
const HOSTS = 4;
const LEASE_MS = 2000;
const tag = `tc${process.pid % 100000}`;
const ns = (i: number) => `${tag}h${i}`;
const hostSide = (i: number) => `${tag}v${i}`;
const subnet = (i: number) => `10.231.${i}`;

const workers: WorkerHandle[] = [];
let server: PostgresServer | null = null;
let db: Db | null = null;
const created: number[] = [];

function ip(...args: string[]): void {
  execFileSync("ip", args, { stdio: ["ignore", "ignore", "pipe"] });
}

function createHosts(): void {
  for (let i = 1; i <= HOSTS; i++) {
    ip("netns", "add", ns(i));
    created.push(i);
    ip("link", "add", hostSide(i), "type", "veth", "peer", "name", "eth0", "netns", ns(i));
    ip("addr", "add", `${subnet(i)}.1/24`, "dev", hostSide(i));
    ip("link", "set", hostSide(i), "up");
    ip("netns", "exec", ns(i), "ip", "addr", "add", `${subnet(i)}.2/24`, "dev", "eth0");
    ip("netns", "exec", ns(i), "ip", "link", "set", "eth0", "up");
    ip("netns", "exec", ns(i), "ip", "link", "set", "lo", "up");
  }
}

afterAll(async () => {
  for (const w of workers) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill("SIGKILL");
  await Promise.all(workers.map((w) => w.exited));
  await db?.close();
  server?.stop();
  // Deleting a namespace deletes its end of the veth pair, and with it the host end.
  for (const i of created) {
    try {
      ip("netns", "del", ns(i));
    } catch {
      // already gone
    }
  }
});

describe("workers on four hosts (network namespaces) sharing one PostgreSQL over TCP", () => {
  it("drain 500 jobs exactly once while one worker is SIGKILLed and another's link is cut longer than the lease", async () => {
    if (process.getuid?.() !== 0) throw new Error("This test creates network namespaces (ip netns) and must run as root, as CI does.");
    createHosts();
    const listen = ["127.0.0.1", ...Array.from({ length: HOSTS }, (_, k) => `${subnet(k + 1)}.1`)].join(",");
    server = await startPostgres({ listen, host: "127.0.0.1", hba: ["host all all 10.231.0.0/16 trust"] });
    await applyMigrations(server.url);
    db = openDb(server.url);
    await db.run(`CREATE TABLE "TestEffect" ("jobId" INTEGER NOT NULL, "workerId" TEXT NOT NULL, "attempt" INTEGER NOT NULL, "at" TIMESTAMP(3) NOT NULL DEFAULT clock_timestamp())`);

    const env = (i: number) => ({
      DATABASE_URL: `postgresql://postgres@${subnet(i)}.1:${server!.port}/postgres`,
      TEST_EFFECT_MS: "200",
      TIDECAST_WORKER_CONCURRENCY: "4",
      TIDECAST_LEASE_MS: String(LEASE_MS),
      TIDECAST_HEARTBEAT_MS: "300",
      TIDECAST_POLL_MS: "200",
    });
    for (let i = 1; i <= HOSTS; i++) workers.push(await spawnWorker(env(i), undefined, undefined, ns(i)));
    const [killed, cut] = [workers[0], workers[1]];
    const ids = await db.transaction(async (tx) => {
      const out: number[] = [];
      for (let i = 0; i < 500; i++) out.push((await enqueueJob(tx, "test.effect", { i })).id);
      return out;
    });
    const done = async () => (await db!.get<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "Job" WHERE "status" = 'succeeded'`))!.n;

    await waitFor(async () => (await done()) >= 60, 30_000, "the first jobs");
    killed.proc.kill("SIGKILL");
    await waitFor(async () => (await done()) >= 120, 30_000, "more jobs");
    ip("link", "set", hostSide(2), "down");
    const cutAt = Date.now();
    // What it held once the packets already on the wire have landed: from here on it can change nothing.
    await new Promise((r) => setTimeout(r, 300));
    const held = await db.all<{ id: number; attempts: number }>(`SELECT "id", "attempts" FROM "Job" WHERE "lockedBy" = ? AND "status" = 'running'`, [cut.id]);
    const heldAtCut = held.map((r) => r.id);
    const attemptAtCut = new Map(held.map((r) => [r.id, r.attempts]));
    // Longer than the lease: the others recover its jobs and carry on without it.
    await new Promise((r) => setTimeout(r, LEASE_MS * 2.5));
    const doneWhileCut = await done();
    ip("link", "set", hostSide(2), "up");
    const restoredAt = new Date();
    await waitFor(async () => (await done()) === 500, 60_000, "all 500 jobs");
    await new Promise((r) => setTimeout(r, 1500)); // time for the stale worker's late writes to arrive, if any

    expect(doneWhileCut).toBeGreaterThan(120); // the queue kept moving while one host was unreachable
    expect(Date.now() - cutAt).toBeGreaterThan(LEASE_MS);
    const effects = await db.all<{ jobId: number; workerId: string; attempt: number; at: Date }>(`SELECT "jobId", "workerId", "attempt", "at" FROM "TestEffect" ORDER BY "jobId"`);
    expect(effects.map((e) => e.jobId)).toEqual(ids); // each job's effect exactly once
    const jobs = new Map((await db.all<{ id: number; attempts: number; status: string; lockedBy: string | null }>(`SELECT "id", "attempts", "status", "lockedBy" FROM "Job"`)).map((j) => [j.id, j]));
    for (const e of effects) expect(e.attempt, `job ${e.jobId}`).toBe(jobs.get(e.jobId)!.attempts); // written by the attempt that finished it
    expect([...jobs.values()].every((j) => j.status === "succeeded" && j.lockedBy === null)).toBe(true);
    // The jobs the cut-off worker held were taken over: finished in a later attempt (by another
    // worker, or by itself once its link was back and it claimed them afresh). One whose commit
    // was already on the wire when the link went down may have landed while it was down.
    expect(heldAtCut.length).toBeGreaterThan(0);
    const heldEffects = heldAtCut.map((id) => effects.find((e) => e.jobId === id)!);
    const takenOver = heldEffects.filter((e) => e.attempt > attemptAtCut.get(e.jobId)!);
    expect(takenOver.length).toBeGreaterThan(0);
    // And after its link came back it wrote nothing for the attempts it had lost.
    const stale = heldEffects.filter((e) => e.workerId === cut.id && e.attempt === attemptAtCut.get(e.jobId) && e.at >= restoredAt);
    expect(stale, cut.output().slice(-4000)).toEqual([]);
    // The SIGKILLed worker's jobs were recovered after its lease too.
    expect(effects.some((e) => e.workerId === killed.id)).toBe(true);
    expect([...jobs.values()].some((j) => j.attempts >= 2)).toBe(true);
    expect(cut.output()).toMatch(/lease (not confirmed|lost)/);
    for (const w of workers.slice(1)) expect(w.proc.exitCode, w.output().slice(-3000)).toBeNull();
  });
});
