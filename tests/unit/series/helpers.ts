import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { CsvImportError, parseCsv, type ParsedDataset, type ParsedSeries } from "../../../lib/series";

export const FIXTURES = path.resolve(import.meta.dirname, "../../fixtures/csv");

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(path.join(FIXTURES, name)));
}

export function parseFixture(name: string): ParsedDataset {
  return parseCsv(fixture(name), { fileName: name });
}

export function seriesNamed(d: ParsedDataset, name: string): ParsedSeries {
  const s = d.series.find((x) => x.name === name);
  if (!s) throw new Error(`no series ${name} in ${d.series.map((x) => x.name).join(", ")}`);
  return s;
}

export const day = (y: number, m: number, d: number, h = 0, mi = 0): number => Date.UTC(y, m - 1, d, h, mi);

/** Runs fn, expects a CsvImportError, returns it. */
export function csvError(fn: () => unknown): CsvImportError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CsvImportError);
    return e as CsvImportError;
  }
  throw new Error("expected a CsvImportError, but parsing succeeded");
}

export const arr = (a: Float64Array): number[] => Array.from(a);
