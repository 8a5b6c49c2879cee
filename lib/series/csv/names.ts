/**
 * What a column's header says about it: a date, a series id, a stock-export field, or a generic
 * "value". Matching is on normalised names (`Adj Close` -> `adjclose`) or on word tokens
 * (`OrderDate` -> ["order", "date"]).
 */

/** Lower-case word tokens of a header: camelCase and punctuation split (`OrderDate_utc` -> order, date, utc). */
export function nameTokens(header: string): string[] {
  return header
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((t) => t.length > 0);
}

/** Lower-case letters and digits only (`Adj. Close` -> `adjclose`). */
export function normalized(header: string): string {
  return header.toLowerCase().replace(/[^a-z0-9]+/g, "");
}

const DATE_TOKENS = new Set([
  "date", "time", "timestamp", "datetime", "day", "month", "period", "ds", "dt", "ts", "week", "quarter",
  "year", "datum", "fecha", "zeit", "when", "epoch", "unixtime",
]);
const STRONG_DATE_NAMES = new Set([
  "date", "time", "timestamp", "datetime", "ds", "period", "day", "month", "dt", "ts", "week", "quarter", "year",
  "datum", "fecha", "epoch", "unixtime",
]);
const ID_NAMES = new Set([
  "series", "seriesid", "seriesname", "id", "uniqueid", "symbol", "ticker", "name", "key", "item", "itemid", "code",
  "sku", "store", "storeid", "station", "stationid", "sensor", "sensorid", "product", "productid", "entity", "country",
  "region", "location", "city", "category", "group", "variable", "metric", "tsid", "stock", "asset",
]);
const OHLCV_NAMES = new Set([
  "open", "high", "low", "close", "closelast", "adjclose", "adjustedclose", "closeadj", "last", "volume", "vwap", "trades", "openinterest",
]);
const GENERIC_VALUE_NAMES = new Set(["value", "values", "y", "val", "data", "price", "amount", "observation", "obs", "v"]);

/** A header with a date-like word in it (`order_date`, `Zeit`): a date column when its cells agree. */
export function isDateName(header: string): boolean {
  return nameTokens(header).some((t) => DATE_TOKENS.has(t));
}

/** A header that is nothing but a date word (`date`, `ds`): such a column must hold dates. */
export function isStrongDateName(header: string): boolean {
  return STRONG_DATE_NAMES.has(normalized(header));
}

/** A header naming a series id (`series`, `symbol`, `store_id` ...). */
export function isIdName(header: string): boolean {
  return ID_NAMES.has(normalized(header));
}

/** A stock-export field (`open`, `Adj Close`, `volume` ...). */
export function isOhlcvName(header: string): boolean {
  return OHLCV_NAMES.has(normalized(header));
}

/** A header that names no particular quantity (`value`, `y`, `column 3`): the series takes the file's name. */
export function isGenericValueName(header: string): boolean {
  return GENERIC_VALUE_NAMES.has(normalized(header)) || /^column \d+$/.test(header);
}

/** The file's name without folders and a .csv/.tsv/.txt/.dat extension. */
export function fileBaseName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const stripped = base.replace(/\.(csv|tsv|txt|dat)$/i, "");
  return stripped.length > 0 ? stripped : base;
}
