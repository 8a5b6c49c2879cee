/**
 * The one date encoding. Code above lib/db sees DateTime columns as JavaScript `Date`s, both ways:
 * it passes Dates as parameters and reads Dates from rows. Underneath, SQLite stores ISO 8601 text
 * in UTC with "+00:00" (the format Prisma's SQLite adapter writes, so both agree and text order is
 * time order); PostgreSQL stores `timestamp(3)` in UTC (sessions run with TimeZone=UTC). Millisecond
 * precision on both, so a Date read back compares equal to the one written.
 */
export function toDbDate(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("Invalid Date passed to the database");
  return date.toISOString().replace("Z", "+00:00");
}

/** Parses a stored DateTime: ISO text with a zone, or SQLite's CURRENT_TIMESTAMP form (UTC, no zone). */
export function fromDbDate(text: string): Date {
  const bare = /^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text);
  return new Date(bare ? `${text.replace(" ", "T")}Z` : text);
}
