import type { Server, ServerResponse } from 'node:http';
import type { Logger } from '../logging/logger';

export interface ShutdownOptions {
  /** Milliseconds between the signal and closing the listeners (readiness is 503 meanwhile). */
  delayMs: number;
  /** Milliseconds in-flight requests have to finish once the listeners are closed. */
  graceMs: number;
  logger: Logger;
}

/** Upper bound for each thing closed after the servers drained (a store that hangs must not hang the exit). */
const CLOSE_TIMEOUT_MS = 5000;

/** The shutdown whose signal handlers are installed: the one `/readyz` follows. */
let installed: GracefulShutdown | undefined;

type Closer = { name: string; close: () => unknown };
/** Closed by every shutdown after its servers drained and before its own `onClose` list (the store last). */
const registered: Closer[] = [];

/**
 * Adds something to close on shutdown from anywhere in the process (a metrics listener, a push
 * channel): it is closed after the gateway's servers drained, before the store.
 */
export function closeOnShutdown(name: string, close: () => unknown): void {
  registered.push({ name, close });
}

/** Closes a listener: no new connections, idle ones closed now; resolves when every connection ended. */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  return closed;
}

/** True once the installed shutdown began: `/readyz` answers 503 from that moment on. */
export function shutdownStarted(): boolean {
  return installed?.started ?? false;
}

/**
 * The shutdown sequence of `portcullis start`, on SIGTERM or SIGINT:
 * 1. readiness turns 503 at once, and every response says `Connection: close`;
 * 2. after `delayMs` (time for load balancers to notice), the servers stop accepting
 *    connections and close their idle keep-alive connections;
 * 3. in-flight requests have `graceMs` to finish; the connections still open then are closed;
 * 4. the things to close are closed, in order: those of {@link closeOnShutdown}, then those of
 *    `onClose` (`portcullis start` adds the sample upstream, then the store), each within 5 s;
 * 5. the exit code is 0, or 1 if the grace time ran out or something failed to close.
 * A second signal during the sequence ends the process at once with 1.
 */
export class GracefulShutdown {
  started = false;
  private readonly servers: DrainedServer[] = [];
  private readonly closers: Closer[] = [];
  private running?: Promise<number>;

  constructor(private readonly options: ShutdownOptions) {}

  /** A server whose in-flight requests must finish before the exit (the gateway's). Tracks its requests from now on. */
  drain(name: string, server: Server): this {
    this.servers.push(new DrainedServer(name, server));
    return this;
  }

  /** Something to close once the drained servers are done (the store, a metrics listener, an upstream), in order. */
  onClose(name: string, close: () => unknown): this {
    this.closers.push({ name, close });
    return this;
  }

  /** Runs the sequence on SIGTERM and SIGINT, then calls `exit` with its code. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    installed = this;
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.on(signal, () => {
        if (this.started) {
          this.options.logger.error('second signal during shutdown: exiting now', { signal });
          for (const s of this.servers) s.closeAll();
          return exit(1);
        }
        void this.run(signal).then(exit);
      });
    }
  }

  /** The sequence; resolves with the exit code. Running it twice returns the first run. */
  run(reason: string): Promise<number> {
    this.running ??= this.sequence(reason);
    return this.running;
  }

  private async sequence(reason: string): Promise<number> {
    const { delayMs, graceMs, logger } = this.options;
    this.started = true;
    for (const s of this.servers) s.announceClose();
    const inFlight = () => this.servers.reduce((n, s) => n + s.inFlight.size, 0);
    logger.info('shutting down', { reason, delay_ms: delayMs, grace_ms: graceMs, in_flight: inFlight() });
    if (delayMs > 0) await sleep(delayMs);
    const drained = this.servers.map((s) => s.stop());
    logger.info('stopped accepting connections', { in_flight: inFlight() });
    const grace = timer(graceMs);
    const finished = await Promise.race([Promise.all(drained).then(() => true), grace.elapsed.then(() => false)]);
    grace.cancel();
    let code = 0;
    if (!finished) {
      // Requests still running are cut off: their clients see the connection close without an answer.
      logger.error('shutdown grace time ran out: closing the connections of unfinished requests', { grace_ms: graceMs, in_flight: inFlight() });
      for (const s of this.servers) s.closeAll();
      code = 1;
    }
    for (const { name, close } of [...registered, ...this.closers]) {
      const bound = timer(CLOSE_TIMEOUT_MS);
      try {
        await Promise.race([Promise.resolve().then(close), bound.elapsed.then(() => Promise.reject(new Error(`timed out after ${CLOSE_TIMEOUT_MS} ms`)))]);
      } catch (error) {
        logger.error('shutdown: could not close', { name, cause: error instanceof Error ? error.message : String(error) });
        code = 1;
      } finally {
        bound.cancel();
      }
    }
    logger.info('shutdown complete', { exit_code: code });
    return code;
  }
}

/** One server's requests in flight, and how it stops. */
class DrainedServer {
  readonly inFlight = new Set<ServerResponse>();
  private closing = false;
  /** A response ended: one function for all of them (`this` is the response), no closure per request. */
  private readonly ended: (this: ServerResponse) => void;

  constructor(readonly name: string, private readonly server: Server) {
    const tracker = this;
    this.ended = function (this: ServerResponse) {
      tracker.inFlight.delete(this);
      // A response that began before the shutdown may have promised keep-alive: close its connection now that it is idle.
      if (tracker.closing) setImmediate(() => tracker.server.closeIdleConnections());
    };
    // First among the listeners: the app may answer synchronously, inside its own listener.
    server.prependListener('request', (_req, res: ServerResponse) => this.track(res));
  }

  /** From now on every response asks the client to close (RFC 9112 §9.6), so no connection is reused. */
  announceClose(): void {
    this.closing = true;
    for (const res of this.inFlight) if (!res.headersSent) askToClose(res);
  }

  /** Stops accepting and closes idle connections; resolves once every connection has ended. */
  stop(): Promise<void> {
    return closeServer(this.server);
  }

  closeAll(): void {
    this.server.closeAllConnections();
  }

  private track(res: ServerResponse): void {
    this.inFlight.add(res);
    // Until the shutdown, a response is left as it is: patching each one cost every request an
    // own property and a closure (the token endpoint's profile). In flight at the signal, or begun
    // after it: announceClose or this asks it to close.
    if (this.closing) askToClose(res);
    res.on('close', this.ended);
  }
}

/**
 * `Connection: close` on a response whose head is not written yet, set as late as possible: a
 * proxied response copies the upstream's `Connection` header first, so it is set in `writeHead`,
 * which every response goes through (Node's implicit head on `write`/`end` calls it too).
 */
function askToClose(res: ServerResponse): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    if (!this.headersSent) this.setHeader('Connection', 'close');
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A timer that can be cancelled, so a finished shutdown leaves no timer behind. */
function timer(ms: number): { elapsed: Promise<void>; cancel(): void } {
  let handle: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => (handle = setTimeout(resolve, ms)));
  return { elapsed, cancel: () => clearTimeout(handle) };
}
