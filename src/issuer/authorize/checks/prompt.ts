import { InvalidRequest } from '../../../errors/oauth-errors';
import type { AuthorizeCheck } from './check';
import { excerpt } from '../../../errors/error-description';

const PROMPTS = new Set(['none', 'login', 'consent', 'select_account']);

/** OIDC Core §3.1.2.1: `prompt` values, `none` alone; `max_age` a non-negative integer. */
export const checkPrompt: AuthorizeCheck = (request) => {
  const prompt = new Set((request.params.get('prompt') ?? '').split(' ').filter(Boolean));
  for (const value of prompt) {
    if (!PROMPTS.has(value)) throw new InvalidRequest(excerpt(value) ? `unknown prompt value ${value}` : 'unknown prompt value');
  }
  if (prompt.has('none') && prompt.size > 1) throw new InvalidRequest('prompt=none cannot be combined with other values');
  request.prompt = prompt;
  const maxAge = request.params.get('max_age');
  if (maxAge !== undefined) {
    if (!/^\d{1,9}$/.test(maxAge)) throw new InvalidRequest('max_age must be a non-negative integer');
    request.maxAge = Number(maxAge);
  }
};
