/** Pieces of the sentences the importer says to the user. */

/** "5", "5 and 9", "5, 9 and 12", "5, 9, 12 and 7 more" (`total` counts the rows not listed too). */
export function listRows(rows: readonly number[], total: number = rows.length): string {
  const more = total - rows.length;
  if (rows.length === 1 && more === 0) return String(rows[0]);
  if (more > 0) return `${rows.join(", ")} and ${more} more`;
  return `${rows.slice(0, -1).join(", ")} and ${rows[rows.length - 1]}`;
}

/** "Row 5" or "Rows 5, 9 and 12": the subject of a sentence about rows. */
export function rowsSubject(rows: readonly number[], total: number = rows.length): string {
  return total === 1 ? `Row ${rows[0]}` : `Rows ${listRows(rows, total)}`;
}

/** A cell's text in quotes, shortened to 60 characters. */
export function quoteCell(s: string): string {
  const t = s.length > 60 ? `${s.slice(0, 57)}...` : s;
  return `"${t}"`;
}
