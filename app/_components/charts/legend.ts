import type { Chart, LegendItem } from "chart.js";

type Toggleable = Pick<Chart, "setDatasetVisibility" | "update">;

/**
 * Charts whose datasets come in groups (a band's two edges, a run's train and validation curves):
 * the legend shows one entry per group, and a click hides or shows the whole group.
 */
export function isFirstOfGroup(item: LegendItem, groups: readonly string[]): boolean {
  const i = item.datasetIndex ?? -1;
  return i >= 0 && groups.indexOf(groups[i]) === i;
}

export function setGroupVisible(chart: Toggleable, groups: readonly string[], group: string, visible: boolean): void {
  groups.forEach((g, i) => g === group && chart.setDatasetVisibility(i, visible));
  chart.update("none");
}
