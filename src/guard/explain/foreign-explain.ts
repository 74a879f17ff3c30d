import { OAuthError } from '../../errors/oauth-errors';
import { refusalReason } from '../refusal-reason';
import type { ExplainCheck } from './explain-check';

/**
 * A token of another issuer (trustedIssuers): verified or introspected by that issuer's rules,
 * then held to this application (audience, allowed clients) and to the route's needs, by the
 * guard's own foreign-token check (foreign-check.ts). One step: that check decides all of it.
 */
export const foreignTokenCheck: ExplainCheck = async (ctx, input, state) => {
  const issuer = ctx.foreign?.issuerOf(input.token);
  if (!issuer) return [{ check: 'issuer', result: 'skip', reason: 'not a token of a trusted issuer' }];
  try {
    const identity = await ctx.foreign!.check(issuer, input.token, state.needed ?? []);
    return [{
      check: 'issuer',
      result: 'pass',
      reason: `a token of ${issuer.issuer} (client ${identity.clientId}); grants ${[...identity.permissions].join(', ') || 'nothing'}, which meets the route's needs`,
      details: { issuer: issuer.issuer, client: identity.clientId, roles: identity.roles, permissions: [...identity.permissions] },
    }];
  } catch (err) {
    const reason = err instanceof OAuthError ? err.description : String(err);
    return [{ check: 'issuer', result: 'fail', code: refusalReason(err), reason: `a token of ${issuer.issuer}: ${reason}`, details: { issuer: issuer.issuer } }];
  }
};
