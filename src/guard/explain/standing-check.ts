import { loadStanding } from '../../tokens/token-standing-facts';
import { STANDING_RULES, type StandingRule } from '../../tokens/token-standing';
import type { ExplainCheck, ExplainState, ExplainStep } from './explain-check';

/** What each rule looked at, for people. */
function detail(rule: StandingRule, state: Required<Pick<ExplainState, 'claims' | 'facts'>>, audience: string): string {
  const { claims, facts } = state;
  switch (rule.name) {
    case 'audience':
      return `aud ${JSON.stringify(claims.aud)}; this application's audience is ${audience}`;
    case 'client':
      return facts.client ? `client ${claims.client_id} is ${facts.client.status}` : `client ${claims.client_id} does not exist`;
    case 'deactivation':
      return facts.client?.tokensValidAfter === undefined ? 'the client was never deactivated' : `issued at ${claims.iat}; tokens issued up to ${facts.client.tokensValidAfter} (the last deactivation) are refused`;
    case 'application':
      return `the client is linked to ${facts.client?.application}`;
    case 'user':
      return facts.user ? `user ${claims.sub} is ${facts.user.status}` : `user ${claims.sub} does not exist`;
    case 'revocation':
      return facts.revoked ? `jti ${claims.jti} is on the revocation list` : `jti ${claims.jti} is not revoked`;
  }
}

const SKIPPED: Record<StandingRule['name'], string> = {
  audience: 'not at a guard',
  client: 'no client',
  deactivation: 'no client to check',
  application: 'no client to check',
  user: "a client's own token (client credentials): no user behind it",
  revocation: 'nothing to check',
};

/**
 * Whether the token is still honoured here: every rule of src/tokens/token-standing.ts in turn,
 * on the facts the guard reads (client and user status, the revocation list).
 */
export const standingCheck: ExplainCheck = async (ctx, _input, state) => {
  const { claims } = state;
  if (!claims) return STANDING_RULES.map((rule) => ({ check: rule.name, result: 'skip', reason: 'the token is not verified' }));
  const facts = await loadStanding(claims, ctx.sources);
  state.facts = facts;
  return STANDING_RULES.map((rule): ExplainStep => {
    if (!rule.applies(claims, facts, ctx.place)) return { check: rule.name, result: 'skip', reason: SKIPPED[rule.name] };
    const refusal = rule.check(claims, facts, ctx.place);
    const why = detail(rule, { claims, facts }, ctx.place.audience);
    return refusal ? { check: rule.name, result: 'fail', code: refusal.reason, reason: `${refusal.description} (${why})` } : { check: rule.name, result: 'pass', reason: why };
  });
};
