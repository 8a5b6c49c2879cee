/** A Schedule row (lib/db decodes booleans and dates the same on both databases). */
export interface ScheduleRow {
  id: number;
  seriesId: number;
  cron: string | null; // null when the schedule only triggers on new data
  timezone: string;
  onNewData: boolean;
  config: string; // model config JSON
  enabled: boolean;
  nextRunAt: Date | null;
  lastRunAt: Date | null;
  lastRunId: number | null;
  createdAt: Date;
  updatedAt: Date;
}

export const SCHEDULE_COLUMNS = `"id", "seriesId", "cron", "timezone", "onNewData", "config", "enabled", "nextRunAt", "lastRunAt", "lastRunId", "createdAt", "updatedAt"`;
