/**
 * Row indices grouped by series id and ordered by time, over typed arrays (no per-row objects):
 * what the layout stage asks ("does this id column separate the repeated dates?") and what the
 * build stage does (one time-sorted index list per series).
 */

/** A series id per row: `codes[i]` indexes `names`. */
export interface RowKey {
  codes: Int32Array;
  names: string[];
  /** The id column's header ("" for several columns combined). */
  header: string;
}

/** 0..n-1. */
export function identity(n: number): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Counting sort of row indices by code (0..k-1), stable: file order within each code. */
export function groupByKey(codes: Int32Array, n: number, k: number): Uint32Array[] {
  const counts = new Uint32Array(k + 1);
  for (let i = 0; i < n; i++) counts[codes[i] + 1]++;
  for (let j = 1; j <= k; j++) counts[j] += counts[j - 1];
  const out = new Uint32Array(n);
  const pos = counts.slice(0, k);
  for (let i = 0; i < n; i++) out[pos[codes[i]]++] = i;
  const groups: Uint32Array[] = [];
  for (let j = 0; j < k; j++) groups.push(out.subarray(counts[j], counts[j + 1]));
  return groups;
}

/** Sorts row indices by timestamp in place: a no-op if ascending, a reversal if descending, stable. */
export function sortByTime(idx: Uint32Array, ts: Float64Array): void {
  let asc = true;
  let desc = true;
  for (let i = 1; i < idx.length && (asc || desc); i++) {
    const d = ts[idx[i]] - ts[idx[i - 1]];
    if (d < 0) asc = false;
    if (d > 0) desc = false;
  }
  if (asc) return;
  if (desc) {
    // strictly descending here unless equal neighbours exist; those are reported as duplicates anyway
    idx.reverse();
    return;
  }
  idx.sort((a, b) => ts[a] - ts[b] || a - b);
}

/** The rows (ascending) of the first run of equal timestamps in time-sorted idx, or null. */
export function firstDuplicate(idx: Uint32Array, ts: Float64Array): number[] | null {
  for (let i = 1; i < idx.length; i++) {
    if (ts[idx[i]] === ts[idx[i - 1]]) {
      const run = [idx[i - 1], idx[i]];
      for (let j = i + 1; j < idx.length && ts[idx[j]] === ts[idx[i]]; j++) run.push(idx[j]);
      return run.sort((a, b) => a - b);
    }
  }
  return null;
}

/** True if two of the first n timestamps are equal. */
export function hasDuplicates(ts: Float64Array, n: number): boolean {
  let asc = true;
  for (let i = 1; i < n; i++) {
    if (ts[i] <= ts[i - 1]) {
      asc = false;
      break;
    }
  }
  if (asc) return false;
  const sorted = ts.slice(0, n).sort();
  for (let i = 1; i < n; i++) if (sorted[i] === sorted[i - 1]) return true;
  return false;
}

/** True if two rows with the same code share a timestamp. */
export function hasDuplicatesWithin(ts: Float64Array, n: number, codes: Int32Array): boolean {
  let k = 0;
  for (let i = 0; i < n; i++) if (codes[i] >= k) k = codes[i] + 1;
  for (const idx of groupByKey(codes, n, k)) {
    const t = new Float64Array(idx.length);
    let asc = true;
    for (let i = 0; i < idx.length; i++) {
      t[i] = ts[idx[i]];
      if (i > 0 && t[i] <= t[i - 1]) asc = false;
    }
    if (asc) continue;
    t.sort();
    for (let i = 1; i < t.length; i++) if (t[i] === t[i - 1]) return true;
  }
  return false;
}

/** One key from several id columns (`store / item`); labels in order of first appearance. */
export function combineKeys(keys: readonly RowKey[], n: number): RowKey {
  const map = new Map<string, number>();
  const names: string[] = [];
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const label = keys.map((k) => k.names[k.codes[i]]).join(" / ");
    let code = map.get(label);
    if (code === undefined) {
      code = names.length;
      map.set(label, code);
      names.push(label);
    }
    codes[i] = code;
  }
  return { codes, names, header: "" };
}
