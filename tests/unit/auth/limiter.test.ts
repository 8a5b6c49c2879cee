import { describe, expect, it } from "vitest";
import { AttemptLimiter } from "@/lib/auth/limiter";

describe("sign-in attempt limiter", () => {
  const opts = { perClient: 3, overall: 5, windowMs: 60_000, baseDelayMs: 1000, maxDelayMs: 4000 };

  it("delays each failure longer, and blocks a client after perClient failures until the window moves on", () => {
    const l = new AttemptLimiter(opts);
    expect(l.blockedFor("a", 0)).toBeNull();
    expect([l.fail("a", 0), l.fail("a", 1000), l.fail("a", 2000)]).toEqual([1000, 2000, 4000]);
    expect(l.blockedFor("a", 2000)).toBe(58_000); // the oldest of the three leaves the window at 60 s
    expect(l.blockedFor("b", 2000)).toBeNull();
    expect(l.blockedFor("a", 60_001)).toBeNull();
  });

  it("caps the failures of everyone together, whatever key each claims", () => {
    const l = new AttemptLimiter(opts);
    for (let i = 0; i < 5; i++) l.fail(`client-${i}`, i);
    expect(l.blockedFor("fresh", 10)).toBe(60_000 - 10);
  });

  it("forgets a client's failures when it signs in", () => {
    const l = new AttemptLimiter(opts);
    l.fail("a", 0);
    l.fail("a", 0);
    l.succeed("a");
    expect(l.fail("a", 0)).toBe(1000);
  });
});
