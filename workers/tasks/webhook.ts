import { PermanentJobError } from "../../lib/queue/errors";
import type { Task } from "../../lib/queue/tasks";
import { attemptDelivery, loadDelivery, markAttemptFailed, markDelivered, markDeliveryFailed } from "../../lib/webhooks/deliver";

function deliveryIdOf(payload: unknown): number | null {
  const id = (payload as { deliveryId?: unknown } | null)?.deliveryId;
  return typeof id === "number" && Number.isInteger(id) ? id : null;
}

/**
 * The "webhook.deliver" task: one attempt of one event's delivery to one webhook. A 2xx answer
 * marks it delivered in the same transaction that finishes the job, so it is never sent again;
 * any other answer or a network error throws, and the queue retries with exponential backoff
 * (TIDECAST_RETRY_BASE_MS doubling, up to TIDECAST_WEBHOOK_MAX_ATTEMPTS attempts); a refused
 * target fails at once. A delivery whose webhook was deleted has nothing left to do.
 */
export function webhookTask(options: { timeoutMs?: number } = {}): Task {
  return {
    async run(payload, helpers) {
      const id = deliveryIdOf(payload);
      if (id === null) throw new PermanentJobError(`Invalid webhook delivery payload: ${JSON.stringify(payload)}`);
      const delivery = await loadDelivery(helpers.db, id);
      if (!delivery || delivery.status !== "pending") return;
      const result = await attemptDelivery(delivery, { timeoutMs: options.timeoutMs });
      if (result.ok) {
        await helpers.complete(async (tx) => void (await markDelivered(tx, id, result.status!)));
        helpers.log(`delivery ${id} of event ${delivery.event.id} (${delivery.event.kind}): ${result.status}`);
        return;
      }
      await markAttemptFailed(helpers.db, id, result);
      if (result.permanent) throw new PermanentJobError(result.error ?? "refused");
      throw new Error(result.error ?? "delivery failed");
    },
    async onFailed(payload, info, tx) {
      const id = deliveryIdOf(payload);
      if (id !== null && info.final) await markDeliveryFailed(tx, id, info.error);
    },
  };
}
