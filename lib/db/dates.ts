/** DateTime columns as the Prisma SQLite adapter writes them (ISO 8601, "+00:00"), for raw SQL. */
export function toDbDate(date: Date): string {
  return date.toISOString().replace("Z", "+00:00");
}
