import crypto from "node:crypto";

/** The header a receiver checks: `X-Tidecast-Signature: sha256=<hex HMAC-SHA256 of the raw body with the secret>`. */
export const SIGNATURE_HEADER = "X-Tidecast-Signature";

export function signature(secret: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", secret).update(body, "utf8").digest("hex")}`;
}
