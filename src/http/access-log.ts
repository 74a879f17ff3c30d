import type { IncomingMessage, ServerResponse } from 'node:http';
import { peerAddress } from './peer-address';
import { requestId } from './request-id';
import { outcomeOf } from './request-outcome';

/** The longest path written; longer ones are cut (a log line stays one readable line). */
const MAX_PATH = 512;

/** One access log line (docs/ops-guide.md, "Access log"). */
export interface AccessLogLine {
  time: string;
  request_id: string;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
  client_address: string;
  proto: string;
  application: string | null;
  client_id: string | null;
  decision: 'allowed' | 'refused' | 'n/a';
  reason: string | null;
  /** Present (true) when the client went away before the response was complete. */
  aborted?: true;
}

/**
 * The path of a request target without query or fragment: a query can carry codes, tokens or
 * personal data (RFC 6749 §4.1.2 puts the code in one), so it is never logged. An absolute-form
 * target (`http://user:pass@host/p`) is reduced to its path, so credentials in it never reach the log.
 */
export function loggedPath(target: string): string {
  let path = target.split(/[?#]/, 1)[0];
  if (!path.startsWith('/')) {
    try {
      path = new URL(path).pathname;
    } catch {
      path = '-';
    }
  }
  return path.length > MAX_PATH ? path.slice(0, MAX_PATH) + '...' : path;
}

/**
 * Writes one JSON line per request when its response is finished, or when the connection closes
 * first (`aborted`). Only the fields above: never a header, a token, a secret, a cookie, a password,
 * a body or a query string.
 */
export function logAccess(req: IncomingMessage, res: ServerResponse, proto: string, write: (line: string) => void): void {
  const started = process.hrtime.bigint();
  let done = false;
  const finish = (aborted: boolean) => {
    if (done) return;
    done = true;
    const outcome = outcomeOf(req);
    const line: AccessLogLine = {
      time: new Date().toISOString(),
      request_id: requestId(req),
      method: req.method ?? '-',
      path: loggedPath((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/'),
      // 0: the client left before any answer was sent (no status ever reached the wire).
      status: res.headersSent ? res.statusCode : 0,
      duration_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e4) / 100,
      client_address: peerAddress(req),
      proto,
      application: outcome.application ?? null,
      client_id: outcome.clientId ?? null,
      decision: outcome.decision ?? 'n/a',
      reason: outcome.reason ?? null,
    };
    if (aborted) line.aborted = true;
    write(JSON.stringify(line));
  };
  res.once('finish', () => finish(false));
  res.once('close', () => finish(!res.writableFinished));
}
