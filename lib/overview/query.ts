import { z } from "zod";

/** What the overview can be asked for: a page of series, sorted, filtered by status and name. */
export const SERIES_STATUSES = ["failing", "drifting", "healthy", "never"] as const;
export type SeriesHealth = (typeof SERIES_STATUSES)[number];
export const STATUS_LABEL: Record<SeriesHealth, string> = { failing: "failing", drifting: "drifting", healthy: "healthy", never: "never trained" };

export const OVERVIEW_SORTS = ["status", "name", "mase", "coverage", "forecast", "next", "alerts"] as const;
export type OverviewSort = (typeof OVERVIEW_SORTS)[number];

export const MAX_PAGE_SIZE = 200;

const statusList = z
  .string()
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean))
  .pipe(z.array(z.enum(SERIES_STATUSES, { error: `status is one or more of ${SERIES_STATUSES.join(", ")}` })));

/** The query string of /overview and GET /api/overview; every field optional. */
export const overviewQuerySchema = z.strictObject({
  page: z.coerce.number().int("page must be a whole number").min(1, "page starts at 1").default(1),
  pageSize: z.coerce.number().int("pageSize must be a whole number").min(1, "pageSize must be at least 1").max(MAX_PAGE_SIZE, `pageSize must be at most ${MAX_PAGE_SIZE}`).default(50),
  sort: z.enum(OVERVIEW_SORTS, { error: `sort is one of ${OVERVIEW_SORTS.join(", ")}` }).default("status"),
  order: z.enum(["asc", "desc"], { error: "order is asc or desc" }).optional(),
  status: statusList.optional(),
  q: z.string().trim().max(200, "q is at most 200 characters").optional(),
});
export type OverviewQuery = z.output<typeof overviewQuerySchema>;

/** A query's natural order: worst status first, the rest ascending, except the newest forecast first. */
export function orderOf(q: Pick<OverviewQuery, "sort" | "order">): "asc" | "desc" {
  return q.order ?? (q.sort === "forecast" || q.sort === "alerts" ? "desc" : "asc");
}
