/** The part of a socket the coalescer needs: Node's writable cork/uncork. */
export interface Corkable {
  cork(): void;
  uncork(): void;
}

/**
 * Corks a socket until the end of the current turn of the event loop (setImmediate, not
 * nextTick: a piped body's data and end arrive in later ticks of the same turn, and should
 * join what was written before them). `released` runs once it is uncorked.
 */
export function corkUntilTurnEnds(socket: Corkable, released?: () => void): void {
  socket.cork();
  setImmediate(() => {
    socket.uncork();
    released?.();
  });
}

/**
 * Holds a socket's writes until the end of the current turn of the event loop, so that the
 * frames one request produces together (OPEN and END; RESPONSE, DATA and END) leave in one
 * write. Each write to a TLS socket is a TLS record and a system call, and wakes the process
 * at the other end: one per frame made three writes per small request where one does.
 */
export class WriteCoalescer {
  readonly #socket: Corkable;
  #holding = false;

  constructor(socket: Corkable) {
    this.#socket = socket;
  }

  /** Call before each write; the writes of this turn go out together once it ends. */
  hold(): void {
    if (this.#holding) return;
    this.#holding = true;
    corkUntilTurnEnds(this.#socket, this.#released);
  }

  readonly #released = () => {
    this.#holding = false;
  };
}
