// Every limit and timeout of the tunnel protocol (docs/tunnel-protocol.md), in one place.

/** WebSocket subprotocol names, highest preferred first. */
export const PROTOCOL_VERSIONS = ['fleetgate.tunnel.v2'] as const;

/** Path of the tunnel endpoint on the gateway. */
export const TUNNEL_PATH = '/v1/tunnel';

export const FRAME_HEADER_BYTES = 5;
export const MAX_PAYLOAD_BYTES = 64 * 1024;
export const MAX_FRAME_BYTES = FRAME_HEADER_BYTES + MAX_PAYLOAD_BYTES;
export const MAX_RESET_MESSAGE_BYTES = 1024;
export const MAX_STREAM_ID = 0xffff_ffff;

export const MAX_PATH_CHARS = 8192;
/** An agent credential in HELLO or CREDENTIAL: it goes into an Authorization header. */
export const AGENT_CREDENTIAL_PATTERN = /^[A-Za-z0-9._-]{1,128}$/;
export const MAX_HEADER_PAIRS = 256;

/**
 * Credit each side of a stream starts with, and all it ever has in flight. Larger windows
 * were tried on a busy two-core machine: 1 MiB cut the time a bulk sender waited for credit
 * from 25–45 % to 0–20 % of a transfer but did not raise MB/s there (CPU was the limit), while
 * a stalled stream may hold 4x as much at the receiver and every byte in flight on a tunnel
 * is queued ahead of the small answers beside it (docs/BENCHMARKS.md, tunnel throughput).
 */
export const INITIAL_WINDOW_BYTES = 256 * 1024;
/** A receiver grants credit in steps of at least this, unless its reader has caught up. */
export const WINDOW_UPDATE_THRESHOLD_BYTES = 64 * 1024;
export const MAX_WINDOW_BYTES = 0x7fff_ffff;

/**
 * Unsent bytes a tunnel's socket may hold before a stream's writes wait for them to leave
 * (local back-pressure across all streams; credit bounds each stream on its own).
 */
export const SEND_BUFFER_BYTES = 256 * 1024;

/**
 * A stream that has sent this much DATA is bulk: its further DATA and END wait in the
 * session's bulk queue, behind every other stream's frames (docs/tunnel-protocol.md §5).
 */
export const SMALL_STREAM_BYTES = 64 * 1024;
/**
 * The bulk queue is written to the socket only while the socket holds less than this
 * unsent, so that a small answer finds at most about this much bulk data ahead of it.
 */
export const SOCKET_QUEUE_BYTES = 64 * 1024;

export const MAX_STREAMS_PER_SESSION = 1024;
/**
 * Stream slots of a tunnel that long-lived streams (watches, log follows, exec, attach,
 * port-forward) may not take: however many watches are held open, short requests still
 * find a slot.
 */
export const RESERVED_SHORT_STREAMS = 64;
/** How long opening a stream waits for a free slot before it is refused (TOO_MANY_STREAMS). */
export const STREAM_SLOT_WAIT_MS = 5_000;
export const MAX_SESSIONS_PER_CLUSTER = 4;

/**
 * A silent peer (a hung agent, a half-open connection) is noticed between
 * LIVENESS_TIMEOUT_MS - HEARTBEAT_INTERVAL_MS and LIVENESS_TIMEOUT_MS + HEARTBEAT_INTERVAL_MS / 2
 * after it fell silent (plus one turn of the event loop, to read what arrived before judging):
 * 6-9 s, inside the 10 s a lost cluster may go unnoticed. The timeout spans four heartbeats,
 * so a pause of a few seconds (GC, a busy event loop, a TCP retransmission) does not drop a
 * healthy tunnel; a side never drops one for its own stall, however long (LivenessWatch),
 * though its peer may. Rancher's agents ping every 5 s but wait 60 s; a 10 s bound needs
 * pings about every 2 s. Their cost is measured in docs/BENCHMARKS.md ("Agents at scale").
 */
export const HEARTBEAT_INTERVAL_MS = 2_000;
export const LIVENESS_TIMEOUT_MS = 8_000;
export const RESPONSE_HEAD_TIMEOUT_MS = 30_000;

export const RECONNECT_BASE_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;

/** WebSocket close reasons are limited to 123 bytes. */
export const MAX_CLOSE_REASON_BYTES = 123;
