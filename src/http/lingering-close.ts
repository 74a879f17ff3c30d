import type { IncomingMessage } from 'node:http';

/** How long a refused client may go on sending after the answer before the socket is destroyed. */
const LINGER_MS = 2000;

/**
 * RFC 9112 §9.6: closing a connection while the client is still sending risks a TCP reset that
 * destroys the answer before the client reads it, so close in stages: half-close after the answer,
 * keep reading (and dropping) what the client still sends, and close fully when it is done.
 * Node's http server destroys the socket right after an answer that says `Connection: close`;
 * for a request whose body was refused (413), this replaces that with such a lingering close,
 * bounded by `LINGER_MS`, so a client that never stops cannot hold the socket.
 */
export function closeLingering(req: IncomingMessage): void {
  const socket = req.socket;
  req.resume();
  socket.destroySoon = () => {
    socket.end();
    const timer = setTimeout(() => socket.destroy(), LINGER_MS);
    timer.unref();
    socket.once('end', () => socket.destroy());
    socket.once('close', () => clearTimeout(timer));
    socket.resume();
  };
}
