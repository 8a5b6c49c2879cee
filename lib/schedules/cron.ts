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

/** The fewest minutes between two runs of one schedule: TIDECAST_MIN_CRON_MINUTES (default 5). */
export function minCronMinutes(env: Record<string, string | undefined> = process.env): number {
  const v = Number(env.TIDECAST_MIN_CRON_MINUTES ?? "5");
  return Number.isFinite(v) && v >= 1 ? v : 5;
}

/** Runs sampled to find the closest two (cron fields are sets, so the closest pair recurs early). */
const INTERVAL_SAMPLE = 200;

/**
 * What the API accepts of a valid expression: five fields (minute precision; no seconds field)
 * or a nickname such as "@daily", and no two runs closer than `minMinutes` over its next
 * INTERVAL_SAMPLE runs (the closest pair of a cron set repeats within each matching day).
 */
export function checkCronInterval(cron: string, timezone: string, minMinutes: number, after: Date = new Date()): CronCheck {
  const fields = cron.trim().split(/\s+/);
  if (!(fields.length === 5 || (fields.length === 1 && fields[0].startsWith("@")))) {
    return { ok: false, field: "cron", message: `"${cron}" has ${fields.length} fields; use the five of minute, hour, day of month, month and day of week (no seconds).` };
  }
  const runs = nextRuns(cron, timezone, INTERVAL_SAMPLE, after);
  for (let i = 1; i < runs.length; i++) {
    const gap = (runs[i].getTime() - runs[i - 1].getTime()) / 60_000;
    if (gap < minMinutes) {
      return {
        ok: false,
        field: "cron",
        message: `"${cron}" runs ${gap} minute${gap === 1 ? "" : "s"} apart at ${runs[i - 1].toISOString()}; schedules run at most once every ${minMinutes} minutes (TIDECAST_MIN_CRON_MINUTES).`,
      };
    }
  }
  return { ok: true };
}
