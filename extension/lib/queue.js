// The offline queue: a commit that could not reach the server is kept in chrome.storage.local and retried with
// back-off. The server's commit is idempotent (the same sale body answers as the first commit), so sending one
// twice is safe. Entries are keyed by POS system + sale id: a newer commit of the same sale replaces an older one
// (the server makes its record equal to the sale sent, so the newest body is the only one that matters).

/* global apiRequest, ApiError */
/* exported enqueueCommit, flushQueue, isRetryable, QUEUE_KEY */

const QUEUE_KEY = "commit_queue";
const RETRY_ALARM = "loyalty-retry";
const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 5 * 60 * 1000;

// Worth sending again later: no answer, or the server said it is busy or restarting (429, 5xx). A 4xx is the
// sale itself being refused, which a retry would not change.
function isRetryable(e) {
  return e instanceof ApiError && (e.kind === "network" || (e.kind === "http" && (e.status >= 500 || e.status === 429)));
}

function queueKey(sale) {
  return sale.pos.system + ":" + sale.pos.sale_id;
}

async function readQueue() {
  return (await chrome.storage.local.get(QUEUE_KEY))[QUEUE_KEY] || {};
}

async function writeQueue(queue) {
  await chrome.storage.local.set({[QUEUE_KEY]: queue});
}

async function enqueueCommit(sale, reasons) {
  const queue = await readQueue();
  const key = queueKey(sale);
  queue[key] = {key, sale, reasons: reasons || {}, status: "queued", attempts: 0, queued_at: Date.now(),
    next_at: Date.now() + BASE_DELAY_MS, error: null};
  await writeQueue(queue);
  await scheduleRetry(queue);
  return queue[key];
}

async function scheduleRetry(queue) {
  const pending = Object.values(queue).filter((e) => e.status === "queued");
  if (!pending.length) {
    await chrome.alarms.clear(RETRY_ALARM);
    return;
  }
  const when = Math.max(Date.now() + 1000, Math.min(...pending.map((e) => e.next_at)));
  // The alarm survives the worker being stopped; Chrome may round it up to 30 s for packed extensions.
  await chrome.alarms.create(RETRY_ALARM, {when});
}

// Send every queued commit that is due (or all, when `force`). Sent entries stay a while as "sent" so the panel
// can say so, then are pruned. A commit the server refuses (4xx) is not retried: it is marked "failed" with the
// plain sentence, because sending the same body again would be refused again.
async function flushQueue(force) {
  const queue = await readQueue();
  const now = Date.now();
  let changed = false;
  for (const entry of Object.values(queue)) {
    if (entry.status === "sent" && now - entry.sent_at > 10 * 60 * 1000) {
      delete queue[entry.key];
      changed = true;
      continue;
    }
    if (entry.status !== "queued" || (!force && entry.next_at > now)) continue;
    changed = true;
    try {
      entry.result = await apiRequest("POST", "/api/v1/sales/commit", {sale: entry.sale, reasons: entry.reasons});
      entry.status = "sent";
      entry.sent_at = Date.now();
      entry.error = null;
    } catch (e) {
      entry.attempts += 1;
      entry.error = e.message;
      if (isRetryable(e)) {
        entry.next_at = Date.now() + Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** entry.attempts);
      } else {
        entry.status = "failed";
      }
    }
  }
  if (changed) {
    // Re-read before writing: a commit may have been queued while we were sending.
    const latest = await readQueue();
    for (const [key, entry] of Object.entries(queue)) {
      if (!latest[key] || latest[key].queued_at === entry.queued_at) latest[key] = entry;
    }
    for (const key of Object.keys(latest)) {
      if (!queue[key] && latest[key].status === "sent") delete latest[key];
    }
    await writeQueue(latest);
    await scheduleRetry(latest);
  }
  return queue;
}
