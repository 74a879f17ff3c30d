/**
 * Typed protocol errors. Code throws these; `classify-error.ts` is the only place that decides the
 * response one becomes. The `error` codes are the registered ones of RFC 6749 §4.1.2.1/§5.2, RFC 6750 §3.1,
 * RFC 7009 §2.2.1 and OpenID Connect Core §3.1.2.6.
 */
export abstract class OAuthError extends Error {
  /** The registered `error` value sent on the wire. */
  abstract readonly error: string;
  /** HTTP status for this error when it is not redirected. */
  abstract readonly status: number;
  /** Extra response headers this error needs (e.g. a Basic challenge). */
  headers: Record<string, string> = {};

  constructor(readonly description: string) {
    super(description);
    this.name = new.target.name;
  }
}

/** RFC 6749 §5.2: missing, repeated or malformed parameter. */
export class InvalidRequest extends OAuthError {
  readonly error: string = 'invalid_request';
  readonly status: number = 400;
}

/**
 * RFC 9110 §15.5.6: the method is not one the path answers (the protocol endpoints are POST only,
 * RFC 6749 §3.2; the probes GET and HEAD). The body stays the protocol's `invalid_request`; the
 * status says why, and `Allow` lists the methods the path does answer.
 */
export class MethodNotAllowed extends InvalidRequest {
  override readonly status: number = 405;
  constructor(description: string, allow: string) {
    super(description);
    this.headers.Allow = allow;
  }
}

/**
 * RFC 6750 §3.1: the bearer credentials are malformed (two `Authorization` headers, a bare
 * `Bearer`, the token sent in more than one way). An `invalid_request` that names the credentials,
 * so a surface that challenges only credential failures (the admin API) challenges it too.
 */
export class MalformedCredentials extends InvalidRequest {}

/**
 * RFC 9110 §15.5.14: the request body is over the endpoint's limit. The body stays the protocol's
 * `invalid_request` (RFC 6749 §5.2); the status says why. The rest of the body is dropped, not
 * parsed, so the connection is closed after the answer (RFC 9112 §9.6) rather than reused mid-body.
 */
export class ContentTooLarge extends InvalidRequest {
  override readonly status: number = 413;
  constructor(description = 'request body too large') {
    super(description);
    this.headers.Connection = 'close';
  }
}

/**
 * RFC 9110 §15.5.16: the body has a content coding (gzip, deflate...) that this server does not
 * decode; it reads bodies as sent (`identity`) only, and says so with `Accept-Encoding`
 * (RFC 9110 §12.5.3). Parsing the compressed bytes as a form would give nonsense parameters.
 */
export class UnsupportedContentEncoding extends InvalidRequest {
  override readonly status: number = 415;
  constructor(description = 'the request body must not be compressed (Content-Encoding)') {
    super(description);
    this.headers['Accept-Encoding'] = 'identity';
  }
}

/**
 * RFC 6749 §5.2: client authentication failed. Always 401 with a `Basic` challenge: §5.2 requires
 * it when the client used Basic, and RFC 9110 §15.5.2 requires a challenge on every 401.
 */
export class InvalidClient extends OAuthError {
  readonly error: string = 'invalid_client';
  readonly status: number = 401;
  constructor(description: string, _usedBasic = false, realm = 'portcullis') {
    super(description);
    this.headers['WWW-Authenticate'] = `Basic realm="${realm}", charset="UTF-8"`;
  }
}

/** RFC 6749 §5.2: the grant (code, refresh token, credentials) is invalid, expired or revoked. */
export class InvalidGrant extends OAuthError {
  readonly error: string = 'invalid_grant';
  readonly status: number = 400;
}

/** RFC 6749 §5.2: this client may not use this grant type. */
export class UnauthorizedClient extends OAuthError {
  readonly error: string = 'unauthorized_client';
  readonly status: number = 400;
}

/** RFC 6749 §5.2: the grant type is not supported by this server. */
export class UnsupportedGrantType extends OAuthError {
  readonly error: string = 'unsupported_grant_type';
  readonly status: number = 400;
}

/** RFC 6749 §4.1.2.1: the response type is not supported. */
export class UnsupportedResponseType extends OAuthError {
  readonly error: string = 'unsupported_response_type';
  readonly status: number = 400;
}

/** RFC 6749 §5.2: the requested scope is invalid, unknown or exceeds what was granted. */
export class InvalidScope extends OAuthError {
  readonly error: string = 'invalid_scope';
  readonly status: number = 400;
}

/** RFC 6749 §4.1.2.1: the resource owner or server denied the request. */
export class AccessDenied extends OAuthError {
  readonly error: string = 'access_denied';
  readonly status: number = 403;
}

/**
 * Why an `invalid_token` was refused: set where the refusal is thrown (the verifier, the claim
 * checks, the guard's checks 3), so nothing downstream reads a description to learn it.
 */
export const TOKEN_REFUSAL_REASONS = [
  'malformed_token',
  'expired',
  'not_yet_valid',
  'bad_signature',
  'unknown_key',
  'invalid_claims',
  'wrong_audience',
  'unknown_client',
  'client_disabled',
  'wrong_application',
  'user_disabled',
  'revoked',
  /** The guard requires an API key (`apiKey: required`): none was sent. */
  'api_key_missing',
  /** The API key sent was never issued. */
  'api_key_unknown',
  /** The API key sent was revoked (or replaced by a rotation). */
  'api_key_revoked',
  /** The API key sent belongs to another client than the access token's. */
  'api_key_other_client',
  /** Any other invalid token (outside the guard: userinfo). */
  'invalid_token',
] as const;

export type TokenRefusalReason = (typeof TOKEN_REFUSAL_REASONS)[number];

/** RFC 6750 §3.1: the access token is missing a valid signature, expired, revoked or malformed. */
export class InvalidToken extends OAuthError {
  readonly error: string = 'invalid_token';
  readonly status: number = 401;
  /** Why, as a bounded code for metrics and access logs (see guard/refusal-reason.ts). */
  constructor(description: string, readonly reason: TokenRefusalReason = 'invalid_token') {
    super(description);
  }
}

/** RFC 6750 §3.1: the token is valid but lacks the permission the request needs. */
export class InsufficientScope extends OAuthError {
  readonly error: string = 'insufficient_scope';
  readonly status: number = 403;
  constructor(description: string, readonly scope: string) {
    super(description);
  }
}

/**
 * RFC 6750 §3.1: no credentials were sent. The challenge then carries no error code; the JSON body
 * says `unauthorized` (not a registered OAuth code, because the RFC asks for none here).
 */
export class MissingToken extends OAuthError {
  readonly error: string = 'unauthorized';
  readonly status: number = 401;
}

/** RFC 7009 §2.2.1: the server does not support revoking this token type. */
export class UnsupportedTokenType extends OAuthError {
  readonly error: string = 'unsupported_token_type';
  readonly status: number = 400;
}

/** OIDC Core §3.1.2.6: prompt=none but the user must sign in. */
export class LoginRequired extends OAuthError {
  readonly error: string = 'login_required';
  readonly status: number = 400;
}

/** OIDC Core §3.1.2.6: prompt=none but the user must consent. */
export class ConsentRequired extends OAuthError {
  readonly error: string = 'consent_required';
  readonly status: number = 400;
}

/** RFC 6749 §5.2 (temporarily_unavailable): a dependency such as the store is down; fail closed. */
export class TemporarilyUnavailable extends OAuthError {
  readonly error: string = 'temporarily_unavailable';
  readonly status: number = 503;
  constructor(description: string, retryAfterSeconds = 5) {
    super(description);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}

/** Anything unexpected. Never carries the original message to the wire. */
export class ServerError extends OAuthError {
  readonly error: string = 'server_error';
  readonly status: number = 500;
}

/**
 * Nothing is served at this path: no issuer endpoint and no gateway pipeline. Not an OAuth code;
 * it keeps the gateway's unknown paths in the product's JSON error shape.
 */
export class NotFound extends OAuthError {
  readonly error: string = 'not_found';
  readonly status: number = 404;
}

/**
 * Too many failed client authentications (RFC 6749 §2.3.1: protect the endpoint against brute
 * force): 429 with `Retry-After`. The code is `slow_down`, registered for the token endpoint in the
 * IANA "OAuth Extensions Error" registry (RFC 8628 §3.5) with the meaning "retry, but later": it
 * tells the client that waiting helps, unlike `invalid_client` (would suggest rotating the secret)
 * or `temporarily_unavailable` (reserved here for a store outage, 503).
 * The request rate limits (`throttle/rate-limit.ts`) answer with it too.
 */
export class SlowDown extends OAuthError {
  readonly error: string = 'slow_down';
  readonly status: number = 429;
  constructor(description: string, retryAfterSeconds: number) {
    super(description);
    this.headers['Retry-After'] = String(retryAfterSeconds);
  }
}
