import { decideApiKey } from '../api-key-check';
import type { ExplainCheck } from './explain-check';

/** With `apiKey: required`, whether the key given is the current key of the token's client. */
export const apiKeyCheck: ExplainCheck = async (ctx, input, state) => {
  if (!ctx.apiKeyHeader || !ctx.apiKeyRefusals || !ctx.apiKeys) return [{ check: 'api key', result: 'skip', reason: 'this guard does not require an API key (apiKey: off)' }];
  if (!state.claims) return [{ check: 'api key', result: 'skip', reason: 'the token is not verified (a key alone never authorizes)' }];
  const standing = input.apiKey === undefined ? null : await ctx.apiKeys.get(input.apiKey);
  const refusal = decideApiKey(input.apiKey, standing, state.claims.client_id, ctx.apiKeyRefusals);
  if (refusal) return [{ check: 'api key', result: 'fail', code: refusal.reason, reason: refusal.description }];
  return [{ check: 'api key', result: 'pass', reason: `the ${ctx.apiKeyHeader} key is the current key of client ${state.claims.client_id}` }];
};
