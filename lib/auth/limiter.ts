/**
 * Failed sign-in attempts: each failure is answered late (FAILURE_DELAY_MS, doubling with the
 * client's recent failures), and more than `perClient` failures of one client, or `overall`
 * failures of everyone, within `windowMs` answer 429 until the window moves on. The client key
 * is only as good as the address we see (X-Forwarded-For, trustworthy behind a trusted proxy),
 * which is why the overall limit exists: it bounds guessing whatever an attacker claims to be.
 * Pure: the caller passes the clock.
 */
export interface LimiterOptions {
  perClient: number;
  overall: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_LIMITS: LimiterOptions = { perClient: 5, overall: 20, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 8000 };

export class AttemptLimiter {
  private readonly failures = new Map<string, number[]>();
  private all: number[] = [];

  constructor(private readonly options: LimiterOptions = DEFAULT_LIMITS) {}

  private recent(list: number[], now: number): number[] {
    return list.filter((t) => t > now - this.options.windowMs);
  }

  /** null when the client may try now; otherwise how long to wait (ms). */
  blockedFor(client: string, now: number): number | null {
    const mine = this.recent(this.failures.get(client) ?? [], now);
    this.all = this.recent(this.all, now);
    const over = (list: number[], limit: number) => (list.length >= limit ? list[list.length - limit] + this.options.windowMs - now : 0);
    const wait = Math.max(over(mine, this.options.perClient), over(this.all, this.options.overall));
    return wait > 0 ? wait : null;
  }

  /** Records a failure; returns how long to hold the answer back (ms). */
  fail(client: string, now: number): number {
    const mine = [...this.recent(this.failures.get(client) ?? [], now), now];
    this.failures.set(client, mine);
    this.all.push(now);
    if (this.failures.size > 10_000) this.prune(now);
    return Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (mine.length - 1));
  }

  succeed(client: string): void {
    this.failures.delete(client);
  }

  private prune(now: number): void {
    for (const [k, v] of this.failures) if (this.recent(v, now).length === 0) this.failures.delete(k);
  }
}
