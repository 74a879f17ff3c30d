import type { ServerResponse } from 'node:http';
import { OAuthError } from '../errors/oauth-errors';
import { safeDescription } from '../errors/error-description';
import type { RefusalReason } from './refusal-reason';

/**
 * The response header of the guard parameter `debugHeader: true`: on a refusal, the reason code,
 * the description and, for a missing permission, what the token does grant. For finding out why
 * a request is refused while setting an API up, not for production: it tells any caller what its
 * token lacks (`portcullis explain` tells the same to whoever runs the command line).
 */
export const DEBUG_HEADER = 'X-Portcullis-Debug';

/** The permissions a refused token held, noted on the refusal (only when the header is on). */
const granted = new WeakMap<object, ReadonlySet<string>>();

export function noteGranted(err: object, permissions: ReadonlySet<string>): void {
  granted.set(err, permissions);
}

/** `reason=insufficient_scope; description="..."; granted=echo:read` (ASCII only, one line). */
export function debugHeaderValue(err: unknown, reason: RefusalReason): string {
  const parts = [`reason=${reason}`];
  if (err instanceof OAuthError) parts.push(`description="${safeDescription(err.description).replace(/["\\]/g, '')}"`);
  const held = typeof err === 'object' && err ? granted.get(err) : undefined;
  if (held) parts.push(`granted=${[...held].join(',') || '(none)'}`);
  return parts.join('; ');
}

export function setDebugHeader(res: ServerResponse, err: unknown, reason: RefusalReason): void {
  if (!res.headersSent) res.setHeader(DEBUG_HEADER, debugHeaderValue(err, reason));
}
