import { describe, expect, it } from "vitest";
import { civilFromDays, daysFromCivil, formatTimestamp, parseTimestamp } from "../../../lib/series";
import { day } from "./helpers";

describe("parseTimestamp", () => {
  const cases: [string, number][] = [
    ["2024-01-03", day(2024, 1, 3)],
    ["2024-01-03T14:30", day(2024, 1, 3, 14, 30)],
    ["2024-01-03 14:30", day(2024, 1, 3, 14, 30)],
    ["2024-01-03T14:30:15", day(2024, 1, 3, 14, 30) + 15_000],
    ["2024-01-03T14:30:15.250Z", day(2024, 1, 3, 14, 30) + 15_250],
    ["2024-01-03T14:30:00+02:00", day(2024, 1, 3, 12, 30)],
    ["2024-01-03T14:30:00-0530", day(2024, 1, 3, 20, 0)],
    ["2024-01-03T14:30:00+01", day(2024, 1, 3, 13, 30)],
    ["2024/01/03", day(2024, 1, 3)],
    ["2024-1-3", day(2024, 1, 3)],
    ["01/31/2024", day(2024, 1, 31)],
    ["1/3/2024 2:05 PM", day(2024, 1, 3, 14, 5)],
    ["31.01.2024", day(2024, 1, 31)],
    ["31.01.2024 08:15", day(2024, 1, 31, 8, 15)],
    ["1/3/2024 14:05:09", day(2024, 1, 3, 14, 5) + 9_000],
    ["12-31-2023", day(2023, 12, 31)],
    ["3.1.2024", day(2024, 1, 3)],
    ["2024-03", day(2024, 3, 1)],
    ["2024Q2", day(2024, 4, 1)],
    ["Q4 2023", day(2023, 10, 1)],
    ["Jan 1 2000", day(2000, 1, 1)],
    ["January 15, 2000", day(2000, 1, 15)],
    ["15 Jan 2000", day(2000, 1, 15)],
    ["15-Jan-2000", day(2000, 1, 15)],
    ["Sat Jan 15 2000", day(2000, 1, 15)],
    ["Sep 2001", day(2001, 9, 1)],
    ["2000", day(2000, 1, 1)],
    ["1704067200", day(2024, 1, 1)],
    ["1704067200000", day(2024, 1, 1)],
    ["  2024-01-03  ", day(2024, 1, 3)],
  ];
  for (const [text, want] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => expect(parseTimestamp(text)).toBe(want));
  }

  it("reads a/b/YYYY day first when asked", () => {
    expect(parseTimestamp("03/04/2024", "dmy")).toBe(day(2024, 4, 3));
    expect(parseTimestamp("03/04/2024")).toBe(day(2024, 3, 4));
  });

  it("rejects impossible or unknown dates", () => {
    for (const bad of ["2023-02-29", "2024-13-01", "2024-01-32", "32.01.2024", "hello", "", "12", "2024-01-03T25:00", "Foo 1 2000", "1.5", "1/3/20245", "1/3/2024 14:5", "13/13/2024"]) {
      expect(parseTimestamp(bad), bad).toBeNull();
    }
  });

  it("handles leap days and years before 100 (no Date.UTC two-digit-year trap)", () => {
    expect(parseTimestamp("2024-02-29")).toBe(day(2024, 2, 29));
    expect(parseTimestamp("0001-01-01")).toBe(-62_135_596_800_000); // 719,162 days before 1970 (Date's setUTCFullYear(1, 0, 1) agrees)
    expect(parseTimestamp("0001-01-01")).toBe(new Date(0).setUTCFullYear(1, 0, 1));
    expect(formatTimestamp(parseTimestamp("0001-02-01") as number)).toBe("0001-02-01");
  });
});

describe("calendar helpers", () => {
  it("daysFromCivil and civilFromDays are inverse over four centuries", () => {
    for (let z = -200_000; z < 200_000; z += 997) {
      const [y, m, d] = civilFromDays(z);
      expect(daysFromCivil(y, m, d)).toBe(z);
    }
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2000, 3, 1) * 86_400_000).toBe(Date.UTC(2000, 2, 1));
  });

  it("formats timestamps for messages", () => {
    expect(formatTimestamp(day(2024, 1, 3))).toBe("2024-01-03");
    expect(formatTimestamp(day(2024, 1, 3, 14, 30))).toBe("2024-01-03 14:30");
    expect(formatTimestamp(day(2024, 1, 3, 14, 30) + 5_250)).toBe("2024-01-03 14:30:05.250");
  });
});
