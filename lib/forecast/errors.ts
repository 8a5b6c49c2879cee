/** A forecast that cannot be made: the message is written for the person who asked for it. */
export class ForecastError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ForecastError";
    this.code = code;
  }
}

/** Thrown when `shouldStop()` answers true between batches or epochs. */
export class ForecastCancelled extends Error {
  constructor(message = "The forecast was cancelled.") {
    super(message);
    this.name = "ForecastCancelled";
  }
}
