import { Cron } from "croner";

/**
 * Cron expressions and time zones, parsed and stepped by croner. 5 fields (minute precision) or
 * 6 (with seconds); the time zone is an IANA name ("Europe/Berlin"), checked against Intl first
 * so the error says which of the two is wrong.
 */
export type CronCheck = { ok: true } | { ok: false; field: "cron" | "timezone"; message: string };

export function isValidTimeZone(timezone: string): boolean {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
    return true;
  } catch {
    return false;
  }
}

function cronOf(cron: string, timezone: string): Cron {
  return new Cron(cron, { timezone, paused: true });
}

export function checkCron(cron: string, timezone: string): CronCheck {
  if (!isValidTimeZone(timezone)) {
    return { ok: false, field: "timezone", message: `"${timezone}" is not a known time zone; use an IANA name such as "UTC" or "Europe/Berlin".` };
  }
  let job: Cron;
  try {
    job = cronOf(cron, timezone);
  } catch (err) {
    const detail = err instanceof Error ? err.message.replace(/^CronPattern: /, "") : String(err);
    return { ok: false, field: "cron", message: `"${cron}" is not a valid cron expression: ${detail}` };
  }
  if (job.nextRun(new Date()) === null) {
    return { ok: false, field: "cron", message: `"${cron}" never runs (no matching date).` };
  }
  return { ok: true };
}

/** The first run strictly after `after`, or null. */
export function nextRunAfter(cron: string, timezone: string, after: Date): Date | null {
  return cronOf(cron, timezone).nextRun(after);
}

/** The next `n` run times after `after` (the dashboard's preview). */
export function nextRuns(cron: string, timezone: string, n: number, after: Date = new Date()): Date[] {
  return cronOf(cron, timezone).nextRuns(n, after);
}
