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
 */
export async function rawRequest(
  app: express.Express,
  options: { method?: string; path: string; headers?: Record<string, string>; chunks: Buffer[]; declare: boolean },
): Promise<RawAnswer> {
  const listener = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => listener.once('listening', resolve));
  try {
    const { port } = listener.address() as AddressInfo;
    const total = options.chunks.reduce((n, c) => n + c.length, 0);
    const headers = { ...options.headers, ...(options.declare ? { 'Content-Length': String(total) } : { 'Transfer-Encoding': 'chunked' }) };
    return await new Promise<RawAnswer>((resolve, reject) => {
      let writeError: string | undefined;
      const req = http.request({ host: '127.0.0.1', port, method: options.method ?? 'POST', path: options.path, headers, agent: false });
      req.on('response', (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, ...(writeError ? { writeError } : {}) }));
      });
      // The server may answer and close before the whole body is sent: that is allowed (RFC 9110
      // §15.5.14), so a write error is recorded, not thrown, as long as a response arrived.
      req.on('error', (err) => {
        writeError = err.message;
        setImmediate(() => reject(new Error(`no response: ${err.message}`)));
      });
      const writeAll = async () => {
        for (const chunk of options.chunks) {
          if (req.destroyed) return;
          if (!req.write(chunk)) await new Promise((r) => req.once('drain', r).once('close', r));
        }
        if (!req.destroyed) req.end();
      };
      void writeAll();
    });
  } finally {
    listener.close();
    listener.closeAllConnections?.();
  }
}

/** `size` bytes of a form body: `prefix` then padding. */
export function bigForm(prefix: string, size: number): Buffer[] {
  const chunks = [Buffer.from(`${prefix}&padding=`)];
  for (let n = chunks[0].length; n < size; n += 64 * 1024) chunks.push(Buffer.alloc(64 * 1024, 'a'));
  return chunks;
}
