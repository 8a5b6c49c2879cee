import { describe, expect, it } from "vitest";
import {
  combineKeys,
  firstDuplicate,
  groupByKey,
  hasDuplicates,
  hasDuplicatesWithin,
  identity,
  sortByTime,
} from "../../../../lib/series/csv/groups";

const u32 = (a: number[]) => Uint32Array.from(a);
const f64 = (a: number[]) => Float64Array.from(a);
const i32 = (a: number[]) => Int32Array.from(a);

describe("groupByKey", () => {
  it("lists each code's rows in file order", () => {
    const groups = groupByKey(i32([1, 0, 1, 2, 0]), 5, 3);
    expect(groups.map((g) => Array.from(g))).toEqual([[1, 4], [0, 2], [3]]);
  });

  it("reads only the first n codes and keeps empty groups", () => {
    expect(groupByKey(i32([2, 2, 0, 1]), 2, 3).map((g) => Array.from(g))).toEqual([[], [], [0, 1]]);
  });
});

describe("sortByTime", () => {
  it("leaves ascending rows, reverses descending ones, and sorts the rest stably", () => {
    const ts = f64([30, 10, 20, 10]);
    const asc = u32([1, 2, 0]);
    sortByTime(asc, ts);
    expect(Array.from(asc)).toEqual([1, 2, 0]);
    const desc = u32([0, 2, 1]);
    sortByTime(desc, ts);
    expect(Array.from(desc)).toEqual([1, 2, 0]);
    const mixed = u32([0, 1, 2, 3]);
    sortByTime(mixed, ts);
    expect(Array.from(mixed)).toEqual([1, 3, 2, 0]); // 10 (row 1), 10 (row 3), 20, 30
  });
});

describe("duplicates", () => {
  it("firstDuplicate gives the rows of the earliest repeated time, ascending", () => {
    const ts = f64([5, 1, 5, 3, 1, 1]);
    const idx = identity(6);
    sortByTime(idx, ts);
    expect(firstDuplicate(idx, ts)).toEqual([1, 4, 5]);
    expect(firstDuplicate(u32([1, 3, 0]), ts)).toBeNull();
  });

  it("hasDuplicates looks at the first n timestamps", () => {
    expect(hasDuplicates(f64([1, 2, 3]), 3)).toBe(false);
    expect(hasDuplicates(f64([3, 1, 2]), 3)).toBe(false);
    expect(hasDuplicates(f64([3, 1, 3]), 3)).toBe(true);
    expect(hasDuplicates(f64([3, 1, 3]), 2)).toBe(false);
  });

  it("hasDuplicatesWithin asks whether one code repeats a time", () => {
    const ts = f64([1, 1, 2, 2]);
    expect(hasDuplicatesWithin(ts, 4, i32([0, 1, 0, 1]))).toBe(false);
    expect(hasDuplicatesWithin(ts, 4, i32([0, 0, 1, 1]))).toBe(true);
  });
});

describe("combineKeys", () => {
  it("labels rows `a / b` with codes in order of first appearance", () => {
    const store = { codes: i32([0, 0, 1, 0]), names: ["1", "2"], header: "store" };
    const item = { codes: i32([0, 1, 0, 0]), names: ["A", "B"], header: "item" };
    const combo = combineKeys([store, item], 4);
    expect(combo.names).toEqual(["1 / A", "1 / B", "2 / A"]);
    expect(Array.from(combo.codes)).toEqual([0, 1, 2, 0]);
    expect(combo.header).toBe("");
  });
});
