import type { ServerResponse } from 'node:http';
import { safeDescription } from '../errors/error-description';
import type { OAuthError } from '../errors/oauth-errors';
import { messagePage } from './message-page';
import { sendPage } from './security-headers';

/**
 * An error as an HTML page (a browser endpoint that must not redirect it): 400, 413 for a body
 * over the limit (RFC 9110 §15.5.14), 415 for a compressed one (§15.5.16), 500 for anything
 * unexpected. The description
 * is limited to RFC 6749 §5.2's characters, like everywhere an error is written.
 */
export function sendErrorPage(res: ServerResponse, error: OAuthError, title: string, withScript = false): void {
  const status = error.status >= 500 ? 500 : error.status === 413 || error.status === 415 ? error.status : 400;
  for (const [name, value] of Object.entries(error.headers)) if (name !== 'WWW-Authenticate') res.setHeader(name, value);
  // A 5xx description is detail-free by construction (`toOAuthError`).
  sendPage(res, status, messagePage(title, safeDescription(error.description), error.error), [], withScript);
}
