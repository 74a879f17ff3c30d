import type { ServerResponse } from 'node:http';
import { safeDescription } from '../errors/error-description';
import { toOAuthError } from '../errors/send-error';
import type { Logger } from '../logging/logger';
import { messagePage } from './message-page';
import { sendPage } from './security-headers';

export interface ErrorPageOptions {
  /** Title for a refused request (4xx); failures of the server have their own. */
  title?: string;
  /** Logs failures of the server (5xx) with this message and context; never sent to the browser. */
  logger?: Logger;
  log?: { message: string; context: Record<string, unknown> };
  /** The admin pages load their script. */
  withScript?: boolean;
}

/** 4xx statuses a page keeps as they are; any other refusal is a plain 400. */
const KEPT_STATUSES = new Set([413, 415, 429]);

/**
 * The browser pages' one mapping from any failure to a response, built on the same
 * {@link toOAuthError} as the JSON endpoints: a store outage is 503 with `Retry-After`
 * (RFC 9110 §15.6.4, §10.2.3), anything unexpected 500, a body over the limit 413 (§15.5.14), a
 * compressed one 415 (§15.5.16), any other refused request 400 with its description, limited to
 * RFC 6749 §5.2's characters like everywhere an error is written. Never a stack trace, an
 * exception name or a store message.
 */
export function sendErrorPage(res: ServerResponse, thrown: unknown, options: ErrorPageOptions = {}): void {
  const error = toOAuthError(thrown);
  if (error.status >= 500 && options.logger) {
    options.logger.error(options.log?.message ?? 'page failed', { ...options.log?.context, cause: thrown instanceof Error ? thrown.message : String(thrown) });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // A page is no protected resource: a Bearer challenge would mean nothing to a browser.
  for (const [name, value] of Object.entries(error.headers)) if (name !== 'WWW-Authenticate') res.setHeader(name, value);
  if (error.status >= 500) {
    const page = error.status === 503
      ? messagePage('Temporarily unavailable', 'The service is temporarily unavailable. Please try again in a few seconds.', error.error)
      : messagePage('Something went wrong', 'Please try again later.', error.error);
    return sendPage(res, error.status === 503 ? 503 : 500, page, [], options.withScript);
  }
  const status = KEPT_STATUSES.has(error.status) ? error.status : 400;
  sendPage(res, status, messagePage(options.title ?? 'Something went wrong', safeDescription(error.description), error.error), [], options.withScript);
}
