// Every number of the gateway's talk with clusters, in one place.

/** Page size of every list call the gateway makes (caches and live lists alike). */
export const LIST_PAGE_SIZE = 500;
/** Apiservers are asked to end a watch after this; it is then resumed from where it was. */
export const WATCH_TIMEOUT_SECONDS = 300;
/** A list/watch that failed is retried after a full-jitter backoff between these bounds. */
export const WATCH_RETRY_BASE_MS = 1_000;
export const WATCH_RETRY_MAX_MS = 10_000;
/** Largest JSON answer read whole (a list page of large objects stays far below it). */
export const MAX_JSON_ANSWER_BYTES = 64 * 1024 * 1024;
/** How long one cluster may take to answer a whole list for a query. */
export const CLUSTER_TIMEOUT_MS = 10_000;
/** Upper bound of objects one cluster may contribute to one live answer. */
export const MAX_ITEMS_PER_CLUSTER = 50_000;
