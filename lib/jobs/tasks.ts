import type { Db, JobRow } from "./types";

/**
 * Tasks, graphile-worker style: a task is `async (payload, helpers)`; returning means done, a
 * throw means retry with exponential backoff (PermanentJobError: fail now; JobCancelledError:
 * cancelled). A task may add hooks that run in the SAME transaction as the job's state change,
 * so the rows a task owns (a Run) never disagree with the job.
 */
export type StopReason = "cancel" | "shutdown" | "lease-lost";

export interface TaskHelpers {
  job: JobRow;
  workerId: string;
  /** Aborted (with a StopReason as `reason`) when the task should stop: shutdown or lost lease. */
  signal: AbortSignal;
  settings: { pollMs: number; shutdownGraceMs: number };
  /**
   * Finishes the job and runs `write` in one transaction, only while this worker still holds the
   * job (else throws LeaseLostError and writes nothing): results are stored at most once.
   */
  complete(write?: (db: Db) => void): void;
  log(message: string): void;
}

export interface FailureInfo {
  final: boolean; // no attempt left (or a permanent error)
  error: string;
  retryAt: string | null; // when the next attempt may start
}

export interface TaskHooks {
  onFailed?(payload: unknown, info: FailureInfo, db: Db): void;
  onCancelled?(payload: unknown, db: Db): void;
  onReleased?(payload: unknown, db: Db): void;
}

export type TaskFn = (payload: unknown, helpers: TaskHelpers) => Promise<void>;
export type Task = TaskFn | ({ run: TaskFn } & TaskHooks);
export type TaskList = Record<string, Task>;

export function taskFn(task: Task): TaskFn {
  return typeof task === "function" ? task : task.run;
}

export function taskHooks(task: Task | undefined): TaskHooks {
  return task && typeof task !== "function" ? task : {};
}
