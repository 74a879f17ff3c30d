import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type express from 'express';

/** What came back over the socket. `writeError` is set when the server stopped reading the body. */
export interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  writeError?: string;
}

/**
 * One request over a real socket, with full control over the body framing: supertest always sets
 * Content-Length, so a chunked body (no Content-Length) that grows too large needs raw node:http.
 * `chunks` are written one by one; with `declare`, a Content-Length of their total is sent.
 * With `endless`, the body never ends: only the server can end the exchange.
 * `target` is an Express app (listened on a free port for this request) or a running server's port.
 */
export async function rawBodyRequest(
  target: express.Express | { port: number },
  options: { method?: string; path: string; headers?: Record<string, string>; chunks: Buffer[]; declare: boolean; endless?: boolean },
): Promise<RawAnswer> {
  const listener = 'port' in target ? undefined : target.listen(0, '127.0.0.1');
  if (listener) await new Promise((resolve) => listener.once('listening', resolve));
  try {
    const port = listener ? (listener.address() as AddressInfo).port : (target as { port: number }).port;
    const total = options.chunks.reduce((n, c) => n + c.length, 0);
    const headers = { ...options.headers, ...(options.declare ? { 'Content-Length': String(total) } : { 'Transfer-Encoding': 'chunked' }) };
    return await new Promise<RawAnswer>((resolve, reject) => {
      let writeError: string | undefined;
      let answer: Omit<RawAnswer, 'writeError'> | undefined;
      const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers, agent: false });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (answer = { status: res.statusCode!, headers: res.headers, body }));
      });
      // The server may stop reading the body: a write error is recorded, not thrown, as long as
      // a whole answer arrived. Resolving on 'close' (not on the answer) also shows that the
      // server ends the connection instead of leaving the socket hanging.
      req.on('error', (err) => (writeError = err.message));
      req.on('close', () => (answer ? resolve({ ...answer, ...(writeError ? { writeError } : {}) }) : reject(new Error(`no answer: ${writeError ?? 'closed'}`))));
      // `endless`: after the chunks, keep sending until the server closes the connection.
      const writeAll = async () => {
        for (let i = 0; options.endless || i < options.chunks.length; i++) {
          if (req.destroyed) return;
          if (!req.write(options.chunks[i % options.chunks.length])) await new Promise((r) => req.once('drain', r).once('close', r));
        }
        if (!req.destroyed) req.end();
      };
      void writeAll();
    });
  } finally {
    listener?.close();
    listener?.closeAllConnections?.();
  }
}

/** `size` bytes of a form body: `prefix` then padding. */
export function bigForm(prefix: string, size: number): Buffer[] {
  const chunks = [Buffer.from(`${prefix}&padding=`)];
  for (let n = chunks[0].length; n < size; n += 64 * 1024) chunks.push(Buffer.alloc(64 * 1024, 'a'));
  return chunks;
}
