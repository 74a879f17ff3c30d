import type { ServerResponse } from 'node:http';
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

/**
 * The browser pages' one mapping from any failure to a response, built on the same
 * {@link toOAuthError} as the JSON endpoints: a store outage is 503 with `Retry-After`
 * (RFC 9110 §15.6.4, §10.2.3), anything unexpected 500, a refused request 400 with its
 * description. Never a stack trace, an exception name or a store message.
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
  if (error.status >= 500) {
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    const unavailable = error.status === 503;
    const page = unavailable
      ? messagePage('Temporarily unavailable', 'The service is temporarily unavailable. Please try again in a few seconds.', error.error)
      : messagePage('Something went wrong', 'Please try again later.', error.error);
    return sendPage(res, error.status, page, [], options.withScript);
  }
  sendPage(res, 400, messagePage(options.title ?? 'Something went wrong', error.description, error.error), [], options.withScript);
}
