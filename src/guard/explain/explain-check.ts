import type { ApplicationSettings } from '../../config/settings';
import type { LoadedStanding, StandingSources } from '../../tokens/token-standing-facts';
import type { StandingPlace } from '../../tokens/token-standing';
import type { ApiKeyLookup, apiKeyRefusals } from '../api-key-check';
import type { RouteMatcher } from '../route-matcher';
import type { RouteAccess } from '../route-rule';
import type { ForeignCheck } from '../foreign-check';
import type { StoredRoles } from '../../applications/permissions';
import type { AccessTokenClaims, TokenVerifier } from '../token-verifier';

/** What `portcullis explain` is asked about: one request as the guard would see it. */
export interface ExplainInput {
  token: string;
  method: string;
  path: string;
  /** The API key the request would carry (checked when the guard requires one). */
  apiKey?: string;
}

/** One check as reported: `skip` when it has nothing to check or an earlier check left it nothing. */
export interface ExplainStep {
  check: string;
  result: 'pass' | 'fail' | 'skip';
  /** For people: why it passed, failed or was skipped. */
  reason: string;
  /** The refusal reason code of a failure (the metrics' and access log's `reason`). */
  code?: string;
  details?: Record<string, unknown>;
}

/**
 * The guard's own parts a check uses (Guard.explain hands them over): its route rules, verifier,
 * place, standing sources and key settings. A check decides with these, never with copies.
 */
export interface ExplainContext {
  application: string;
  settings: ApplicationSettings;
  routes: RouteMatcher;
  /** Every permission a role of the application grants. */
  grantable: ReadonlySet<string>;
  verifier: Pick<TokenVerifier, 'verify'>;
  place: StandingPlace;
  sources: StandingSources;
  apiKeyHeader?: string;
  apiKeys?: ApiKeyLookup;
  apiKeyRefusals?: ReturnType<typeof apiKeyRefusals>;
  /** The roles admins made in this application, as the guard reads them now. */
  stored?: StoredRoles;
  /** Other issuers this application trusts (a token of one is checked by foreign-explain.ts). */
  foreign?: Pick<ForeignCheck, 'issuerOf' | 'check'>;
}

/** What earlier checks found out, for the later ones. */
export interface ExplainState {
  claims?: AccessTokenClaims;
  facts?: LoadedStanding;
  /** The permissions the route needs (empty: no rule). */
  needed?: readonly RouteAccess[];
}

/**
 * One small step of the report; the list is EXPLAIN_CHECKS (explain-request.ts). A foreign
 * issuer's or an OpenAPI document's checks are added to that list as steps of their own.
 */
export type ExplainCheck = (ctx: ExplainContext, input: ExplainInput, state: ExplainState) => Promise<ExplainStep[]>;
