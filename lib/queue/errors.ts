/** Thrown by a task when retrying cannot help (a deterministic failure such as a diverging model). */
export class PermanentJobError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PermanentJobError";
  }
}

/** Thrown by a task that stopped because its job was cancelled. */
export class JobCancelledError extends Error {
  constructor(message = "Cancelled") {
    super(message);
    this.name = "JobCancelledError";
  }
}

/** The worker lost its lease (expired, recovered, maybe claimed elsewhere): it must write nothing more. */
export class LeaseLostError extends Error {
  constructor(message = "The job's lease was lost") {
    super(message);
    this.name = "LeaseLostError";
  }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}
