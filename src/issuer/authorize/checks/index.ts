import { checkClient } from './client';
import type { AuthorizeCheck } from './check';
import { checkPkce } from './pkce';
import { checkPrompt } from './prompt';
import { checkRedirectUri } from './redirect-uri';
import { checkRequestShape } from './request-shape';
import { checkScope } from './scope';

/**
 * The authorization request's checks, in the order they run. The first two decide whether the
 * redirect URI can be trusted; errors after them are sent back to the client (RFC 6749 §4.1.2.1).
 */
export const AUTHORIZE_CHECKS: readonly AuthorizeCheck[] = [
  checkClient,
  checkRedirectUri,
  checkRequestShape,
  checkScope,
  checkPkce,
  checkPrompt,
];

export type { AuthorizeCheck, AuthorizeCheckDeps } from './check';
