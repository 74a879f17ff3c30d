import type { IncomingMessage } from 'node:http';

/**
 * How many lines of header `lowerName` the request carried. Node keeps only the first of repeated
 * singleton headers (Authorization, Host, Content-Type...) in `req.headers` and drops the rest
 * silently, while a proxy in front may have read the last: only the raw list shows the repeat.
 */
export function headerLines(req: IncomingMessage, lowerName: string): number {
  let lines = 0;
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i].length === lowerName.length && raw[i].toLowerCase() === lowerName) lines++;
  }
  return lines;
}
