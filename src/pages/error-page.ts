import type { ServerResponse } from 'node:http';
import { classifyError } from '../errors/classify-error';
import type { Logger } from '../logging/logger';
import { problemPage, type WayBack } from './message-page';
import { sendPage } from './security-headers';

export interface ErrorPageOptions {
  /** Title for a refused request (4xx); failures of the server have their own. */
  title?: string;
  /** Logs failures of the server (5xx) with this message and context; never sent to the browser. */
  logger?: Logger;
  log?: { message: string; context: Record<string, unknown> };
  /** The admin pages: they load their script, and their domain errors are answers (404, 409, 422...). */
  admin?: boolean;
  /** A refused sign-in request (authorize): the page explains it, naming the app when it is known. */
  signInRequest?: { appName?: string };
  /** Where the person can go from here (the sign-in page by default). */
  back?: WayBack;
}

/** Titles of the statuses only a domain error of the admin pages has (see `classifyError`). */
const DOMAIN_TITLES: Readonly<Record<number, string>> = { 403: 'Forbidden', 404: 'Not found', 409: 'Not possible', 422: 'Not possible' };

/**
 * The browser pages' renderer over {@link classifyError}, the same mapping as the JSON errors: a
 * store outage is 503 with `Retry-After` (RFC 9110 §15.6.4, §10.2.3), anything unexpected 500, a
 * body over the limit 413 (§15.5.14), a compressed one 415 (§15.5.16), any other refused request
 * 400 with its description, limited to RFC 6749 §5.2's characters like everywhere an error is
 * written; on the admin pages a domain error is its own status (404, 403, 409, 422) with its
 * message. Never a stack trace, an exception name or a store message.
 */
export function sendErrorPage(res: ServerResponse, thrown: unknown, options: ErrorPageOptions = {}): void {
  const answer = classifyError(thrown, { surface: options.admin ? 'admin-page' : 'page' });
  if (answer.log === 'error' && options.logger) {
    options.logger.error(options.log?.message ?? 'page failed', { ...options.log?.context, cause: thrown instanceof Error ? thrown.message : String(thrown) });
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(answer.headers)) res.setHeader(name, value);
  const page = problemPage({ ...wording(answer.status, answer.error_description, options), code: answer.error, back: options.back });
  sendPage(res, answer.status, page, [], options.admin);
}

/** What the page says, for people: what happened and what to do about it. */
function wording(status: number, description: string, options: ErrorPageOptions): { title: string; message: string; hint?: string } {
  if (status === 503) return { title: 'Temporarily unavailable', message: 'The service is temporarily unavailable.', hint: 'Please try again in a few seconds.' };
  if (status >= 500) return { title: 'Something went wrong', message: 'Something went wrong on our side and your request was not completed.', hint: 'Please try again later. If it keeps happening, ask for help and quote the reference below.' };
  if (options.signInRequest) {
    const app = options.signInRequest.appName;
    return {
      title: options.title ?? 'Sign-in request refused',
      message: `${app ? `The sign-in request from ${app}` : 'The sign-in request of the app that sent you here'} could not be accepted: ${description}.`,
      hint: `This is a problem of ${app ?? 'the app'}, not of your account. Go back to ${app ?? 'the app'} and try again; if it keeps happening, tell the people who run it and quote the reference below.`,
    };
  }
  return { title: DOMAIN_TITLES[status] ?? options.title ?? 'Something went wrong', message: description };
}

type PageHandler<Req, Res extends ServerResponse> = (req: Req, res: Res) => unknown;

/**
 * A browser page's handler whose every failure is an error page, never a stack trace: the one
 * wrapper of the issuer's pages (sign-in, consent, sign-out, authorize).
 */
export function answeredWithErrorPage<Req extends { path: string }, Res extends ServerResponse>(
  handler: PageHandler<Req, Res>,
  logger: Logger,
): PageHandler<Req, Res> {
  return async (req, res) => {
    try {
      await handler(req, res);
    } catch (thrown) {
      sendErrorPage(res, thrown, { logger, log: { message: 'page failed', context: { path: req.path } } });
    }
  };
}
