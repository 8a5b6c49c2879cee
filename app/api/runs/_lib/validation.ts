import type { z } from "zod";
import { jsonError } from "../../_lib/http";

/**
 * A zod failure as the API's 400: the message names the first bad field, `details.field` is its
 * path ("epochs", "config.learningRate") and `details.issues` lists every problem.
 */
export function validationError(error: z.ZodError, what: string): Response {
  const issues = error.issues.map((issue) => {
    const keys = issue.code === "unrecognized_keys" ? (issue as { keys: string[] }).keys : [];
    const path = issue.path.map(String);
    const field = keys.length > 0 ? [...path, keys[0]].join(".") : path.join(".");
    const message = keys.length > 0 ? `Unknown field${keys.length > 1 ? "s" : ""} ${keys.map((k) => `"${k}"`).join(", ")}` : issue.message;
    return { field, message };
  });
  const first = issues[0] ?? { field: "", message: "Invalid input" };
  const where = first.field ? `${first.field}: ` : "";
  return jsonError(400, "INVALID_" + what.toUpperCase(), `Invalid ${what}: ${where}${first.message}`, { field: first.field, issues });
}

/** A body that must be a JSON object. */
export function notAnObject(what: string): Response {
  return jsonError(400, "INVALID_" + what.toUpperCase(), `The ${what} must be a JSON object.`, {});
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
