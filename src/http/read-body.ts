import type { IncomingMessage } from 'node:http';
import { ContentTooLarge, InvalidRequest, UnsupportedContentEncoding } from '../errors/oauth-errors';
import { closeLingering } from './lingering-close';

/**
 * The one body reader of the product (protocol forms, pages, the admin API's JSON): the body as
 * UTF-8 text, at most `maxBytes`. RFC 9110 §15.5.14: a larger body is a 413 (`ContentTooLarge`),
 * whether its Content-Length says so up front (refused before reading a byte) or a chunked body
 * grows past it. What is left of it is read and dropped, never buffered; the answer says
 * `Connection: close`, and the socket closes in stages (`closeLingering`). A compressed body is a
 * 415 (`UnsupportedContentEncoding`): it is read and dropped, not parsed as if it were text.
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) {
    closeLingering(req);
    return Promise.reject(new ContentTooLarge());
  }
  const coding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (coding !== '' && coding !== 'identity') {
    req.resume();
    return Promise.reject(new UnsupportedContentEncoding());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        reject(new ContentTooLarge());
        req.removeAllListeners('data');
        closeLingering(req);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => reject(new InvalidRequest('the request body could not be read')));
  });
}
