import os from "node:os";
import { randomUUID } from "node:crypto";
import { db as sharedDb } from "../lib/db/client";
import type { Db } from "../lib/db/types";
import { claimJobs } from "../lib/queue/claim";
import { heartbeatJob } from "../lib/queue/heartbeat";
import { finishJob, finishJobs } from "../lib/queue/finish";
import { failJob } from "../lib/queue/fail";
import { releaseJob } from "../lib/queue/release";
import { cancelHeldJob } from "../lib/queue/cancel";
import { hasExpiredLeases, recoverExpiredJobs } from "../lib/queue/recover";
import { backoffMs, queueSettings, type QueueSettings } from "../lib/queue/settings";
import { JobCancelledError, LeaseLostError, PermanentJobError, errorMessage } from "../lib/queue/errors";
import { taskFn, taskHooks, type StopReason, type TaskHelpers, type TaskList } from "../lib/queue/tasks";
import { JOBS_CHANNEL, leaseOf, type JobRow, type Lease } from "../lib/queue/types";
import { runDueSchedules } from "../lib/schedules/fire";

export interface WorkerOptions {
  tasks: TaskList;
  /** The database (default: the process's shared one for DATABASE_URL). */
  db?: Db;
  settings?: Partial<QueueSettings>;
  workerId?: string;
  scheduler?: boolean; // run the schedule loop in this worker (default true)
  log?: (line: string) => void;
}

interface Active {
  job: JobRow;
  lease: Lease;
  controller: AbortController;
  completed: boolean;
  done: Promise<void>;
  /** When the database last confirmed the lease (the claim, then each heartbeat). */
  confirmedAt: number;
  beating: boolean;
}

/**
 * The worker loop: claims jobs up to `concurrency`, runs their tasks, heartbeats their leases,
 * recovers jobs whose worker died, and runs due schedules. Its own thread only does short
 * database statements; CPU-heavy work (training) runs in worker_threads, so heartbeats keep going.
 * It wakes when a job is queued (LISTEN/NOTIFY on PostgreSQL) and polls every `pollMs` anyway.
 * Every database call is wrapped: a transient error (busy database, lost connection) is logged
 * and retried on the next tick, never fatal. A worker that cannot confirm a lease for a whole
 * lease period (its database is unreachable) stops that job itself: another worker has taken it.
 */
export class Worker {
  readonly id: string;
  readonly settings: QueueSettings;
  private readonly db: Db;
  private readonly tasks: TaskList;
  private readonly kinds: string[];
  private readonly runScheduler: boolean;
  private readonly log: (line: string) => void;
  private readonly active = new Map<number, Active>();
  private pollTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private unlisten: (() => Promise<void>) | null = null;
  private lastSchedulerRun = 0;
  private stopping = false;
  private ticking = false;
  private filling = false;
  private refill = false;
  private idleWaiters: (() => void)[] = [];
  private finishing: { lease: Lease; resolve: (finished: boolean) => void; reject: (err: unknown) => void }[] = [];
  private finishScheduled = false;

  constructor(options: WorkerOptions) {
    this.settings = { ...queueSettings(), ...options.settings };
    this.db = options.db ?? sharedDb();
    this.tasks = options.tasks;
    this.kinds = Object.keys(options.tasks);
    this.runScheduler = options.scheduler ?? true;
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.log = options.log ?? ((line) => console.log(line));
  }

  get activeCount(): number {
    return this.active.size;
  }

  start(): void {
    this.log(`worker ${this.id} started: concurrency ${this.settings.concurrency}, tasks ${this.kinds.join(", ")}`);
    this.pollTimer = setInterval(() => void this.tick(), this.settings.pollMs);
    this.heartbeatTimer = setInterval(() => this.heartbeat(), this.settings.heartbeatMs);
    this.db
      .listen(JOBS_CHANNEL, () => void this.fill())
      .then((stop) => {
        if (this.stopping) void stop();
        else this.unlisten = stop;
      })
      .catch((err: unknown) => this.log(`listen failed (polling only): ${errorMessage(err)}`));
    void this.tick();
  }

  /** One poll: recover expired leases, run due schedules, claim work. */
  async tick(): Promise<void> {
    if (this.stopping || this.ticking) return;
    this.ticking = true;
    try {
      await this.guard("recover", () => this.recover());
      if (this.runScheduler && Date.now() - this.lastSchedulerRun >= this.settings.schedulerMs) {
        await this.guard("scheduler", async () => {
          const created = await runDueSchedules(this.db);
          this.lastSchedulerRun = Date.now();
          for (const c of created) this.log(`schedule ${c.scheduleId}: queued run ${c.runId}`);
        });
      }
      await this.fill();
    } finally {
      this.ticking = false;
    }
  }

  private async guard(what: string, fn: () => Promise<void>): Promise<boolean> {
    try {
      await fn();
      return true;
    } catch (err) {
      this.log(`${what} failed${this.db.dialect.isTransient(err) ? " (database busy or unreachable; retrying)" : ""}: ${errorMessage(err)}`);
      return false;
    }
  }

  private async recover(): Promise<void> {
    // A read first: idle workers then do not take the write lock every poll for nothing.
    if (!(await hasExpiredLeases(this.db))) return;
    await this.db.transaction(async (tx) => {
      for (const job of await recoverExpiredJobs(tx)) {
        this.log(`recovered job ${job.id} (${job.kind}): ${job.lastError}`);
        const info = { final: job.status === "failed", error: job.lastError ?? "", retryAt: job.status === "queued" ? job.runAt : null };
        const hooks = taskHooks(this.tasks[job.kind]);
        if (hooks.onFailed) await this.hook(tx, `job ${job.id} onFailed`, (inner) => hooks.onFailed!(parsePayload(job), info, inner));
      }
    });
  }

  /**
   * A task hook runs in a savepoint of the queue's transaction: if it throws, its own writes are
   * rolled back and the queue's state change still commits (a hook bug cannot wedge a job).
   */
  private async hook(tx: Db, what: string, fn: (inner: Db) => Promise<void>): Promise<void> {
    try {
      await tx.transaction(fn);
    } catch (err) {
      if (this.db.dialect.isTransient(err)) throw err;
      this.log(`${what} hook failed: ${errorMessage(err)}`);
    }
  }

  /** Claims as many jobs as there are free slots, in batches, until the queue has none due. */
  private async fill(): Promise<void> {
    if (this.filling) {
      this.refill = true; // a wake-up during a fill: look again when it ends
      return;
    }
    this.filling = true;
    try {
      do {
        this.refill = false;
        while (!this.stopping && this.active.size < this.settings.concurrency) {
          const free = this.settings.concurrency - this.active.size;
          let jobs: JobRow[] = [];
          if (!(await this.guard("claim", async () => void (jobs = await claimJobs(this.db, this.id, this.kinds, this.settings.leaseMs, free))))) break;
          for (const job of jobs) this.launch(job);
          if (jobs.length < free) break;
        }
      } while (this.refill && !this.stopping);
    } finally {
      this.filling = false;
    }
  }

  private heartbeat(): void {
    const now = Date.now();
    for (const entry of this.active.values()) {
      if (entry.completed || entry.controller.signal.aborted) continue;
      if (now - entry.confirmedAt > this.settings.leaseMs) {
        // The lease has run out by our clock without a word from the database: another worker
        // may already run this job, so stop it (its writes would be fenced out anyway).
        this.log(`job ${entry.job.id}: lease not confirmed for ${now - entry.confirmedAt} ms; stopping it`);
        entry.controller.abort("lease-lost" satisfies StopReason);
        continue;
      }
      if (entry.beating) continue; // the previous heartbeat has not answered yet
      entry.beating = true;
      const sent = Date.now();
      void this.guard(`heartbeat of job ${entry.job.id}`, async () => {
        if (await heartbeatJob(this.db, entry.lease, this.settings.leaseMs, new Date(sent))) {
          entry.confirmedAt = sent;
        } else if (!entry.completed) {
          this.log(`job ${entry.job.id}: lease lost; stopping it`);
          entry.controller.abort("lease-lost" satisfies StopReason);
        }
      }).finally(() => (entry.beating = false));
    }
  }

  private launch(job: JobRow): void {
    const entry: Active = {
      job,
      lease: leaseOf(job),
      controller: new AbortController(),
      completed: false,
      done: Promise.resolve(),
      confirmedAt: Date.now(),
      beating: false,
    };
    this.active.set(job.id, entry);
    entry.done = this.execute(entry).finally(() => {
      this.active.delete(job.id);
      if (this.active.size === 0) for (const w of this.idleWaiters.splice(0)) w();
      if (!this.stopping) setImmediate(() => void this.fill());
    });
  }

  private async execute(entry: Active): Promise<void> {
    const { job, lease, controller } = entry;
    const task = this.tasks[job.kind];
    const hooks = taskHooks(task);
    const payload = parsePayload(job);
    const helpers: TaskHelpers = {
      job,
      workerId: this.id,
      db: this.db,
      signal: controller.signal,
      settings: { pollMs: this.settings.pollMs, shutdownGraceMs: this.settings.shutdownGraceMs },
      complete: async (write) => {
        await this.db.transaction(async (tx) => {
          if (!(await finishJob(tx, lease))) throw new LeaseLostError();
          await write?.(tx);
        });
        entry.completed = true;
      },
      log: (message) => this.log(`job ${job.id} (${job.kind}): ${message}`),
    };
    try {
      await taskFn(task)(payload, helpers);
      if (!entry.completed) {
        await this.persist(`finish job ${job.id}`, async () => {
          if (!(await this.finishSoon(lease))) this.log(`job ${job.id}: finished after its lease was lost; result dropped`);
        });
      }
    } catch (err) {
      const reason = controller.signal.aborted ? (controller.signal.reason as StopReason) : null;
      if (err instanceof JobCancelledError || reason === "cancel") {
        this.log(`job ${job.id}: cancelled`);
        await this.persist(`cancel job ${job.id}`, () =>
          this.db.transaction(async (tx) => {
            if ((await cancelHeldJob(tx, lease, errorMessage(err))) && hooks.onCancelled) {
              await this.hook(tx, `job ${job.id} onCancelled`, (inner) => hooks.onCancelled!(payload, inner));
            }
          }),
        );
      } else if (err instanceof LeaseLostError || reason === "lease-lost") {
        this.log(`job ${job.id}: lease lost; another worker will run it`);
      } else if (reason === "shutdown") {
        this.log(`job ${job.id}: put back in the queue (shutdown)`);
        await this.persist(`release job ${job.id}`, () => this.release(entry));
      } else {
        const message = errorMessage(err);
        const permanent = err instanceof PermanentJobError;
        const delay = backoffMs(job.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs);
        await this.persist(`fail job ${job.id}`, () =>
          this.db.transaction(async (tx) => {
            const row = await failJob(tx, lease, message, { retryDelayMs: delay, permanent });
            if (!row) return;
            const final = row.status === "failed";
            this.log(`job ${job.id}: attempt ${job.attempts} failed${final ? " for good" : `, retry at ${row.runAt.toISOString()}`}: ${message}`);
            if (hooks.onFailed) {
              await this.hook(tx, `job ${job.id} onFailed`, (inner) => hooks.onFailed!(payload, { final, error: message, retryAt: final ? null : row.runAt }, inner));
            }
          }),
        );
      }
    }
  }

  /**
   * Finishes a job whose task wrote nothing of its own, together with the others that finish in
   * the same turn of the event loop (a claimed batch of short jobs ends together): one statement
   * and one commit for all of them.
   */
  private finishSoon(lease: Lease): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.finishing.push({ lease, resolve, reject });
      if (this.finishScheduled) return;
      this.finishScheduled = true;
      setImmediate(() => {
        this.finishScheduled = false;
        const batch = this.finishing.splice(0);
        finishJobs(
          this.db,
          batch.map((b) => b.lease),
        ).then(
          (done) => batch.forEach((b) => b.resolve(done.has(b.lease.jobId))),
          (err: unknown) => batch.forEach((b) => b.reject(err)),
        );
      });
    });
  }

  /** Puts a held job back (shutdown), with its task's onReleased hook in the same transaction. */
  private release(entry: Active): Promise<boolean> {
    const hooks = taskHooks(this.tasks[entry.job.kind]);
    return this.db.transaction(async (tx) => {
      const released = await releaseJob(tx, entry.lease);
      if (released && hooks.onReleased) await this.hook(tx, `job ${entry.job.id} onReleased`, (inner) => hooks.onReleased!(parsePayload(entry.job), inner));
      return released;
    });
  }

  /** Retries a final write through a transient error (a lease lapse would only re-run the job). */
  private async persist(what: string, fn: () => Promise<unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await fn();
        return;
      } catch (err) {
        if (!this.db.dialect.isTransient(err) || attempt >= 20) {
          this.log(`${what} failed: ${errorMessage(err)}`);
          return;
        }
        this.log(`${what}: database busy or unreachable, retrying`);
        await new Promise((r) => setTimeout(r, Math.min(this.settings.pollMs, 1000)));
      }
    }
  }

  /**
   * Stops the worker: no new claims; running tasks are asked to stop (a training finishes its
   * epoch, then its job goes back to the queue). After `shutdownGraceMs`, jobs still running are
   * put back by force. Resolves when nothing is held.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    await this.unlisten?.().catch(() => undefined);
    this.log(`worker ${this.id} stopping (${this.active.size} job(s) running)`);
    for (const entry of this.active.values()) entry.controller.abort("shutdown" satisfies StopReason);
    if (this.active.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, this.settings.shutdownGraceMs)));
      await Promise.race([idle, grace]);
      clearTimeout(timer);
    }
    await this.forceRelease();
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.log(`worker ${this.id} stopped`);
  }

  /** Puts back every job still held (the process is about to exit). */
  async forceRelease(): Promise<void> {
    await Promise.all(
      [...this.active.values()]
        .filter((entry) => !entry.completed)
        .map((entry) =>
          this.guard(`release job ${entry.job.id}`, async () => {
            if (await this.release(entry)) this.log(`job ${entry.job.id}: put back in the queue (forced)`);
          }),
        ),
    );
  }
}

function parsePayload(job: JobRow): unknown {
  try {
    return JSON.parse(job.payload) as unknown;
  } catch {
    return null;
  }
}
