import { DomainError } from './domain-errors';
import { InvalidFields } from './field-problems';
import { safeDescription } from './error-description';
import { InsufficientScope, InvalidToken, MalformedCredentials, MissingToken, OAuthError, ServerError, TemporarilyUnavailable } from './oauth-errors';
import { StoreUnavailableError } from './store-unavailable-error';

/**
 * Where an error is answered. It decides the status, the headers, and whether a domain error is an
 * answer or a bug:
 * - `endpoint`: an issuer endpoint (token, revocation, introspection, the probes, the gateway's
 *   last resort): RFC 6749 §5.2, the error's own headers (Basic for `invalid_client`);
 * - `resource`: a protected resource (the guard, userinfo): RFC 6750 §3, a Bearer challenge on
 *   every client error;
 * - `admin-api`: the admin REST API: domain errors are answers; a Bearer challenge on credential
 *   failures only;
 * - `page`: a browser page of the issuer (sign-in, consent, authorize before the redirect URI is
 *   trusted): no challenge, and a refusal is a plain 400 unless its status says more;
 * - `admin-page`: a browser page of the admin area: a page, where domain errors are answers.
 */
export type ErrorSurface = 'endpoint' | 'resource' | 'admin-api' | 'page' | 'admin-page';

export interface ErrorPlace {
  surface: ErrorSurface;
  /** The realm named in Bearer challenges (RFC 6750 §3). */
  realm?: string;
}

/** What any thrown value becomes on the wire, before a renderer writes it as JSON or a page. */
export interface ErrorResponse {
  status: number;
  /** The stable code (`error` in every body). */
  error: string;
  /** For people, never parsed; protocol errors keep to RFC 6749 §5.2's characters. */
  error_description: string;
  /** The one field at fault (domain validation errors); the first one when several are. */
  field?: string;
  /** Every field at fault with its problem, when there are several (`InvalidFields`). */
  fields?: Array<{ field: string; error_description: string }>;
  /** RFC 6750 §3.1: the permission an `insufficient_scope` lacked. */
  scope?: string;
  /** The bounded refusal reason of an `invalid_token` for the access log and metrics. */
  reason?: string;
  /** Headers this error needs: challenges, `Retry-After`, `Allow`, `Connection`, `Accept-Encoding`. */
  headers: Record<string, string>;
  /** `error`: a failure of the server, logged with its cause (which is never sent); else a refusal, not logged. */
  log: 'error' | 'none';
}

/** Any thrown value as a protocol error; unknown ones become a detail-free `server_error`. */
export function toOAuthError(err: unknown): OAuthError {
  if (err instanceof OAuthError) return err;
  if (err instanceof StoreUnavailableError) return new TemporarilyUnavailable('the service is temporarily unavailable; try again shortly');
  return new ServerError('The server could not complete the request.');
}

/**
 * The status of a domain error, by its stable code (the contract the admin API and the CLI share;
 * `forbidden` comes from the admin service, above this layer). RFC 9110 §15.5.21: any other rule
 * that a well-formed request's content breaks is 422, on the API and on the pages alike.
 */
const DOMAIN_STATUS: Readonly<Record<string, number>> = {
  invalid_json: 400,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  conflict: 409,
  invalid_field: 422,
};
const DOMAIN_RULE_STATUS = 422;

/** 4xx statuses a page keeps (RFC 9110 §15.5.14, §15.5.16, RFC 6585 §4); any other refusal is a plain 400. */
const PAGE_KEPT_STATUSES = new Set([413, 415, 429]);

/**
 * RFC 6750 §3: auth-param values are quoted-strings limited to %x20-21 / %x23-5B / %x5D-7E,
 * so quotes, backslashes and non-ASCII are dropped rather than escaped.
 */
function quoteSafe(value: string): string {
  return value.replace(/[^\x20-\x21\x23-\x5B\x5D-\x7E]/g, '');
}

/** The `WWW-Authenticate: Bearer ...` challenge for a resource error (RFC 6750 §3). */
export function bearerChallenge(err: OAuthError, realm: string): string {
  const params = [`realm="${quoteSafe(realm)}"`];
  // RFC 6750 §3.1: a request with no authentication information gets no error code.
  if (!(err instanceof MissingToken)) {
    params.push(`error="${err.error}"`, `error_description="${safeDescription(err.description)}"`);
    if (err instanceof InsufficientScope && err.scope) params.push(`scope="${quoteSafe(err.scope)}"`);
  }
  return `Bearer ${params.join(', ')}`;
}

function challengeFor(err: OAuthError, place: ErrorPlace): string | undefined {
  const realm = place.realm ?? 'portcullis';
  // RFC 6750 §3: a resource answers every client error (400 invalid_request too) with a challenge.
  if (place.surface === 'resource') return err.status >= 400 && err.status < 500 ? bearerChallenge(err, realm) : undefined;
  if (place.surface !== 'admin-api') return undefined;
  // The admin API challenges its credential failures only (a 404 or a 422 is about no credential).
  if (err instanceof MissingToken || err instanceof MalformedCredentials) return bearerChallenge(err, realm);
  // Its invalid_token challenge names the code, not the description (the body has it), as since its first version.
  if (err instanceof InvalidToken) return `Bearer realm="${quoteSafe(realm)}", error="${err.error}"`;
  return undefined;
}

function pageStatus(status: number): number {
  if (status >= 500) return status === 503 ? 503 : 500;
  return PAGE_KEPT_STATUSES.has(status) ? status : 400;
}

/**
 * THE mapping of any thrown value to a response: every renderer (the JSON of the endpoints, the
 * guard and the admin API, the HTML pages) writes what this returns and decides nothing itself.
 * - an `OAuthError` is its own status, code and headers (a page narrows the status);
 * - a `DomainError` on the admin surfaces is its code's status, with `field`; elsewhere it was not
 *   expected, so it is a `server_error` like any bug;
 * - a store outage is `503 temporarily_unavailable` with `Retry-After`;
 * - anything else is `500 server_error` with a generic description, logged; never a stack.
 */
export function classifyError(thrown: unknown, place: ErrorPlace): ErrorResponse {
  const management = place.surface === 'admin-api' || place.surface === 'admin-page';
  if (management && thrown instanceof DomainError) {
    return {
      status: Object.hasOwn(DOMAIN_STATUS, thrown.code) ? DOMAIN_STATUS[thrown.code] : DOMAIN_RULE_STATUS,
      error: thrown.code,
      // Domain messages name request values only through `excerpt`, quoted: kept as written.
      error_description: thrown.message,
      ...(thrown.field ? { field: thrown.field } : {}),
      ...(thrown instanceof InvalidFields ? { fields: thrown.problems.map((p) => ({ field: p.field, error_description: p.message })) } : {}),
      headers: {},
      log: 'none',
    };
  }
  const err = toOAuthError(thrown);
  const page = place.surface === 'page' || place.surface === 'admin-page';
  const headers = { ...err.headers };
  // A page is no protected resource: a challenge (Basic of invalid_client) would mean nothing to a browser.
  if (page) delete headers['WWW-Authenticate'];
  const challenge = challengeFor(err, place);
  if (challenge) headers['WWW-Authenticate'] = challenge;
  return {
    status: page ? pageStatus(err.status) : err.status,
    error: err.error,
    // RFC 6749 §5.2: the last step before the wire keeps the description to its character set.
    error_description: safeDescription(err.description),
    ...(err instanceof InsufficientScope && err.scope ? { scope: err.scope } : {}),
    ...(err instanceof InvalidToken ? { reason: err.reason } : {}),
    headers,
    log: err.status >= 500 ? 'error' : 'none',
  };
}
