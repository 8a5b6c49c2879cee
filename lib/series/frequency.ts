/** The sampling frequencies Tidecast infers from timestamps. */
export const FREQUENCIES = [
  "minute",
  "hourly",
  "daily",
  "business",
  "weekly",
  "monthly",
  "quarterly",
  "yearly",
  "irregular",
] as const;
export type Frequency = (typeof FREQUENCIES)[number];

/** The natural season of each frequency: the lag the seasonal baselines and MASE use. */
export const SEASON_LENGTH: Record<Frequency, number> = {
  minute: 60,
  hourly: 24,
  daily: 7,
  business: 5,
  weekly: 52,
  monthly: 12,
  quarterly: 4,
  yearly: 1,
  irregular: 1,
};
