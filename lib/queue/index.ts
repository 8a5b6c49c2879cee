/**
 * The durable job queue: one module per operation on the Job table (enqueue, claim, heartbeat,
 * finish, fail, release, cancel, recover), each a single guarded SQL statement that SQLite and
 * PostgreSQL run alike; the task contract; timings from the environment. It knows nothing of
 * what a job does (training runs live in lib/runs, schedules in lib/schedules).
 */
export { enqueueJob, type EnqueueOptions } from "./enqueue";
export { claimJob, claimJobs } from "./claim";
export { heartbeatJob } from "./heartbeat";
export { finishJob } from "./finish";
export { failJob, type FailOptions } from "./fail";
export { releaseJob } from "./release";
export { cancelQueuedJob, cancelHeldJob } from "./cancel";
export { recoverExpiredJobs, hasExpiredLeases } from "./recover";
export { queueSettings, backoffMs, defaultConcurrency, type QueueSettings } from "./settings";
export { PermanentJobError, JobCancelledError, LeaseLostError, errorMessage } from "./errors";
export type { Task, TaskFn, TaskList, TaskHelpers, TaskHooks, FailureInfo, StopReason } from "./tasks";
export { leaseOf, JOBS_CHANNEL, type JobRow, type JobStatus, type Lease } from "./types";
