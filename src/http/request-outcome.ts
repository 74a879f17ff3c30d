import type { IncomingMessage } from 'node:http';
import { existingState, requestState, type RequestOutcome } from './request-state';

export type { RequestOutcome } from './request-state';

/** Adds what is known so far to the request's one outcome record (later fields win). */
export function recordOutcome(req: IncomingMessage, outcome: RequestOutcome): void {
  Object.assign(outcomeRecord(req), outcome);
}

/**
 * The request's outcome record itself, created empty on first use, to be filled in place: the
 * guard sets its fields one by one on every request, with no object of its own to merge.
 */
export function outcomeRecord(req: IncomingMessage): RequestOutcome {
  return requestState(req).outcome;
}

/**
 * The outcome record if something will read it, else undefined: the request context created the
 * request's state (its access log line reads the record when the response ends). A plain Express
 * app without `requestContext()` has no access log, so the guard notes nothing there (and adds
 * no property to the request: see request-state.ts for what that costs).
 */
export function trackedOutcome(req: IncomingMessage): RequestOutcome | undefined {
  return existingState(req)?.outcome;
}

/** The request's outcome record; empty for requests nothing decided on (pages, discovery, JWKS). */
export function outcomeOf(req: IncomingMessage): RequestOutcome {
  return existingState(req)?.outcome ?? {};
}

/**
 * The bounded reason code of a refusal: the error's own `reason` when it has one (the guard's
 * refusal errors carry one for the metrics), otherwise its RFC 6749 / RFC 6750 `error` code.
 * The one place that decides it, so the access log and the metrics always agree.
 */
export function reasonOf(err: { error: string; reason?: unknown }): string {
  return typeof err.reason === 'string' ? err.reason : err.error;
}

/**
 * Records a refusal unless something already decided (an allowed request that failed later,
 * upstream, stays allowed: the decision is the guard's or the endpoint's, not the status).
 */
export function recordRefusal(req: IncomingMessage, err: { error: string; reason?: unknown }): void {
  if (outcomeOf(req).decision) return;
  recordOutcome(req, { decision: 'refused', reason: reasonOf(err) });
}
