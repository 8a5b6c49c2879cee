import { describe, expect, it } from "vitest";
import { checkCronInterval, minCronMinutes } from "@/lib/schedules/cron";

const AFTER = new Date("2026-03-01T00:00:00Z");

describe("the schedule API's cron limits", () => {
  it("refuses a seconds field", () => {
    expect(checkCronInterval("*/30 * * * * *", "UTC", 5, AFTER)).toMatchObject({ ok: false, field: "cron", message: expect.stringContaining("no seconds") });
  });

  it("refuses runs closer than the minimum interval, even when they come in a rare burst", () => {
    expect(checkCronInterval("* * * * *", "UTC", 5, AFTER)).toMatchObject({ ok: false, field: "cron" });
    expect(checkCronInterval("*/4 * * * *", "UTC", 5, AFTER)).toMatchObject({ ok: false });
    expect(checkCronInterval("0,2 9 1 1 *", "Europe/Berlin", 5, AFTER)).toMatchObject({ ok: false }); // twice on Jan 1 only
    expect(checkCronInterval("55 23 * * *", "UTC", 5, AFTER)).toEqual({ ok: true });
  });

  it("accepts common schedules and nicknames", () => {
    for (const cron of ["*/5 * * * *", "0 * * * *", "0 6 * * *", "30 6 * * 1", "@daily"]) expect(checkCronInterval(cron, "Europe/Paris", 5, AFTER), cron).toEqual({ ok: true });
    expect(checkCronInterval("*/15 * * * *", "UTC", 30, AFTER)).toMatchObject({ ok: false });
  });

  it("takes the minimum from TIDECAST_MIN_CRON_MINUTES (default 5)", () => {
    expect(minCronMinutes({})).toBe(5);
    expect(minCronMinutes({ TIDECAST_MIN_CRON_MINUTES: "60" })).toBe(60);
    expect(minCronMinutes({ TIDECAST_MIN_CRON_MINUTES: "0" })).toBe(5);
  });
});
