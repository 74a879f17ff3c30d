import { InvalidRequest } from '../../../errors/oauth-errors';
import { PKCE_VALUE } from '../../pkce';
import type { AuthorizeCheck } from './check';

/**
 * RFC 7636 §4.3: a challenge of 43-128 unreserved characters; method S256, or plain when allowed
 * (absent means plain, §4.3). Public clients must use PKCE (RFC 9700 §2.1.1).
 */
export const checkPkce: AuthorizeCheck = (request, deps) => {
  const challenge = request.params.get('code_challenge');
  const method = request.params.get('code_challenge_method');
  if (challenge === undefined) {
    if (method !== undefined) throw new InvalidRequest('code_challenge_method without code_challenge');
    if (request.client!.type === 'public') throw new InvalidRequest('public clients must use PKCE (code_challenge)');
    return;
  }
  if (!PKCE_VALUE.test(challenge)) throw new InvalidRequest('code_challenge must be 43-128 unreserved characters');
  const effective = method ?? 'plain';
  if (effective !== 'S256' && effective !== 'plain') throw new InvalidRequest('code_challenge_method must be S256 or plain');
  if (effective === 'plain' && !deps.settings.pkce.allowPlain) throw new InvalidRequest('code_challenge_method plain is not allowed; use S256');
  request.codeChallenge = challenge;
  request.codeChallengeMethod = effective;
};
