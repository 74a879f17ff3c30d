import { InsufficientScope, InvalidRequest, InvalidToken, MissingToken, OAuthError, TemporarilyUnavailable, TOKEN_REFUSAL_REASONS } from '../errors/oauth-errors';
import { StoreUnavailableError } from '../store/store';

export { TOKEN_REFUSAL_REASONS, type TokenRefusalReason } from '../errors/oauth-errors';

/**
 * Every reason code of a guard decision: a small fixed set, so it can label a metric and fill an
 * access log field without carrying input (client ids, paths, descriptions).
 */
export const REFUSAL_REASONS = [
  /** RFC 6750 §3.1: no credentials (no error code on the wire). */
  'missing_token',
  /** RFC 6750 §3.1 `invalid_request`: a malformed or ambiguous request, credentials or path. */
  'invalid_request',
  ...TOKEN_REFUSAL_REASONS,
  /** RFC 6750 §3.1 `insufficient_scope`: the route needs a permission the token does not grant. */
  'insufficient_scope',
  /** No route rule matches the request: denied (also `insufficient_scope` on the wire). */
  'no_route_rule',
  /** The store is down: refused, fail closed (503). */
  'unavailable',
  /** Anything unexpected (500). */
  'error',
] as const;

export type RefusalReason = (typeof REFUSAL_REASONS)[number];

/**
 * The one mapping from a guard refusal (anything the guard threw) to its reason code: an
 * `invalid_token` carries its own `reason`; the other refusals are one reason per error class.
 */
export function refusalReason(err: unknown): RefusalReason {
  if (err instanceof InvalidToken) return err.reason;
  if (err instanceof MissingToken) return 'missing_token';
  if (err instanceof InsufficientScope) return err.scope ? 'insufficient_scope' : 'no_route_rule';
  if (err instanceof InvalidRequest) return 'invalid_request';
  if (err instanceof StoreUnavailableError || err instanceof TemporarilyUnavailable) return 'unavailable';
  if (err instanceof OAuthError && err.status === 503) return 'unavailable';
  return 'error';
}

/**
 * What a guard tells about each decision and how long it took (`start` is the `performance.now()`
 * at the request's arrival). The metrics implement it (src/metrics/guard-meter.ts); the guard only
 * knows this shape, so it does not depend on the metrics layer.
 */
export interface GuardDecisionMeter {
  allow(start: number): void;
  refuse(reason: RefusalReason, start: number): void;
}
