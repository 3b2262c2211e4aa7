// A tunnel's heartbeat and its judgement of the peer (docs/tunnel-protocol.md §7).

/** What the watch asks of its tunnel. */
export interface LivenessHost {
  /** Sends a WebSocket ping (every second tick). */
  ping(): void;
  /** The peer has been silent for too long: drop the connection. */
  dead(reason: string): void;
}

/**
 * Ticks at half the heartbeat period, pings every second tick, and declares the peer dead
 * once nothing was heard from it for the liveness timeout: within livenessTimeout +
 * heartbeat/2 of its last sign of life, plus one turn of the event loop. Silence that is
 * really this side's own held event loop does not count (see #tick), and how long this side
 * was held lately is kept for the close's log line.
 */
export class LivenessWatch {
  readonly #host: LivenessHost;
  #timer: NodeJS.Timeout | undefined;
  #tickPeriodMs = 0;
  #livenessTimeoutMs = 0;
  #ticks = 0;
  #lastHeardAt = performance.now();
  /** When the timer last ran: a tick far later than its period means this side was held. */
  #lastTickAt = 0;
  /** The longest this side's loop was held lately, and when that ended. */
  #stall = { ms: 0, endedAt: 0 };
  /** The verdict waiting for the sockets to be read (see #tick). */
  #verdict: NodeJS.Immediate | undefined;

  constructor(host: LivenessHost, heartbeatIntervalMs: number, livenessTimeoutMs: number) {
    this.#host = host;
    this.retime(heartbeatIntervalMs, livenessTimeoutMs);
  }

  /** Starts over with new timing (the agent adopts the gateway's from HELLO). */
  retime(heartbeatIntervalMs: number, livenessTimeoutMs: number): void {
    clearInterval(this.#timer);
    this.#livenessTimeoutMs = livenessTimeoutMs;
    this.#tickPeriodMs = Math.max(25, Math.floor(heartbeatIntervalMs / 2));
    this.#lastTickAt = performance.now();
    this.#timer = setInterval(() => this.#tick(), this.#tickPeriodMs);
    this.#timer.unref();
  }

  /** A message, ping or pong arrived from the peer. */
  heard(): void {
    this.#lastHeardAt = performance.now();
  }

  /** Stops every timer; what ownLoopStallMs a close now reports. */
  stop(): number | undefined {
    clearInterval(this.#timer);
    if (this.#verdict) clearImmediate(this.#verdict);
    this.#verdict = undefined;
    return this.#recentStallMs();
  }

  #tick(): void {
    const now = performance.now();
    this.#noteStall(now - this.#lastTickAt - this.#tickPeriodMs, now);
    this.#lastTickAt = now;
    if (now - this.#lastHeardAt > this.#livenessTimeoutMs && !this.#verdict) {
      // Node runs timers before it reads sockets. After this side's own loop was held (a
      // long synchronous task, garbage collection, a starved machine) this tick is the first
      // thing to run, while the peer's pings of that time still wait unread in the socket.
      // So the verdict waits for one read of the sockets: setImmediate runs right after it.
      // (Discounting the time this side was held instead would guess; the socket knows.)
      this.#verdict = setImmediate(() => this.#judge());
    }
    if (++this.#ticks % 2 === 0) this.#host.ping();
  }

  #judge(): void {
    this.#verdict = undefined;
    if (performance.now() - this.#lastHeardAt <= this.#livenessTimeoutMs) return;
    clearInterval(this.#timer);
    this.#host.dead(`no sign of life for ${this.#livenessTimeoutMs} ms`);
  }

  /** Keeps the longest recent delay of the timer of a tick period or more. */
  #noteStall(lateMs: number, now: number): void {
    if (lateMs < this.#tickPeriodMs) return;
    if (lateMs >= this.#stall.ms || now - this.#stall.endedAt > this.#livenessTimeoutMs)
      this.#stall = { ms: Math.round(lateMs), endedAt: now };
  }

  #recentStallMs(): number | undefined {
    const now = performance.now();
    // A close read right after a hold may come before the tick that would have measured it.
    this.#noteStall(now - this.#lastTickAt - this.#tickPeriodMs, now);
    const { ms, endedAt } = this.#stall;
    return ms > 0 && now - endedAt <= this.#livenessTimeoutMs ? ms : undefined;
  }
}
