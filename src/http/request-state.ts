import type { IncomingMessage } from 'node:http';

const STATE = Symbol('portcullis.request');

/** What the guard or an issuer endpoint decided about one request; the access log reads it (request-outcome.ts fills it). */
export interface RequestOutcome {
  /** The application the request was for (the guarded API's, or the authenticated client's). */
  application?: string;
  /** The authenticated client (a verified token's `client_id`, or the client that authenticated). */
  clientId?: string;
  decision?: 'allowed' | 'refused';
  /** Why a request was refused: a bounded code, never free text. */
  reason?: string;
}

/**
 * Everything Portcullis notes about one request, in one object under one property of the request.
 * Why one: Express gives every request object its prototype anew (`expressInit`), and each
 * property added to such an object afterwards costs about 3 µs (Node 20, plain Express under
 * autocannon: five symbol properties added +12-18 µs CPU per request, one holding an object
 * about 0), as much as half the guard's whole cache hit. So the request id, the client address and the outcome
 * record share this one object, created on first use with every field in place (one shape).
 */
export class RequestState {
  /** The request id (request-id.ts). */
  id: string | undefined = undefined;
  /** The client address the request context resolved (peer-address.ts). */
  clientAddress: string | undefined = undefined;
  /** What the guard or an issuer endpoint decided (request-outcome.ts). */
  readonly outcome: RequestOutcome = { application: undefined, clientId: undefined, decision: undefined, reason: undefined };
}

/** The request's state, created on first use. */
export function requestState(req: IncomingMessage): RequestState {
  const holder = req as IncomingMessage & { [STATE]?: RequestState };
  return (holder[STATE] ??= new RequestState());
}

/** The request's state if anything noted one, without creating it. */
export function existingState(req: IncomingMessage): RequestState | undefined {
  return (req as IncomingMessage & { [STATE]?: RequestState })[STATE];
}
