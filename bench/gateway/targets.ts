/** The application and role the guard checks, from the shipped config/system.config.yml. */
export const APPLICATION = 'echo';
export const ROLE = 'echo-reader';

export type TargetName = 'noauth' | 'guard' | 'foreign' | 'egjwt';

export interface Target {
  name: TargetName;
  path: string;
  /** Whether the pipeline refuses requests without a valid token. */
  auth: boolean;
  label: string;
}

/** The pipelines, in the order of the first round; they differ only in their auth policy (and `foreign` in its token). */
export const TARGETS: readonly Target[] = [
  { name: 'noauth', path: '/noauth/bench', auth: false, label: '(a) proxy only' },
  { name: 'guard', path: '/guard/bench', auth: true, label: '(b) portcullis-guard + proxy' },
  { name: 'egjwt', path: '/egjwt/bench', auth: true, label: '(c) EG jwt (RS256) + proxy' },
  { name: 'foreign', path: '/foreign/bench', auth: true, label: '(d) portcullis-guard, foreign JWKS token + proxy' },
];

/** The identity headers the guard adds upstream, as the echo upstream reflected them. */
export type Identity = Record<string, string>;

/** Portcullis's own token (every target but `foreign`) and one of the local JWKS issuer (`foreign`). */
export interface Tokens {
  own: string;
  foreign: string;
}

export const tokenFor = (target: Target, tokens: Tokens): string => (target.name === 'foreign' ? tokens.foreign : tokens.own);

/**
 * Every target but `foreign` gets byte-identical requests, the token included (the no-auth
 * pipeline simply forwards it), so the difference between targets is the policy and nothing else;
 * `foreign` carries a token of the same shape and size from another issuer.
 */
export function requestHeaders(tokens: Tokens, target: Target, identity: Identity, sameUpstream: boolean): Record<string, string> {
  const headers: Record<string, string> = { authorization: `Bearer ${tokenFor(target, tokens)}` };
  // Diagnostic control: the other targets send the identity headers the guard adds, so the
  // upstream receives and echoes the same bytes for all of them, isolating the policy's own cost.
  if (sameUpstream && target.name !== 'guard') Object.assign(headers, identity);
  return headers;
}
