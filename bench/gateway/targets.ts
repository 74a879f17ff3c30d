/** The application and role the guard checks, from the shipped config/system.config.yml. */
export const APPLICATION = 'echo';
export const ROLE = 'echo-reader';

/** The gateway's pipelines; they differ only in their auth policy. */
export type Pipeline = 'noauth' | 'guard' | 'foreign' | 'egjwt';
/** What is measured: a pipeline with one token (warm), or with BENCH_TOKENS distinct ones in rotation (cold). */
export type TargetName = Pipeline | 'guard-cold' | 'egjwt-cold' | 'foreign-cold';

export interface Target {
  name: TargetName;
  pipeline: Pipeline;
  /** BENCH_TOKENS distinct tokens in rotation instead of one. */
  cold: boolean;
  path: string;
  /** Whether the pipeline refuses requests without a valid token. */
  auth: boolean;
  label: string;
}

/** In the order of the first round, each cold target beside its warm one (same pipeline, same path). */
export const TARGETS: readonly Target[] = [
  { name: 'noauth', pipeline: 'noauth', cold: false, path: '/noauth/bench', auth: false, label: '(a) proxy only' },
  { name: 'guard', pipeline: 'guard', cold: false, path: '/guard/bench', auth: true, label: '(b) portcullis-guard + proxy' },
  { name: 'guard-cold', pipeline: 'guard', cold: true, path: '/guard/bench', auth: true, label: '(b) portcullis-guard + proxy, distinct tokens' },
  { name: 'egjwt', pipeline: 'egjwt', cold: false, path: '/egjwt/bench', auth: true, label: '(c) EG jwt (RS256) + proxy' },
  { name: 'egjwt-cold', pipeline: 'egjwt', cold: true, path: '/egjwt/bench', auth: true, label: '(c) EG jwt (RS256) + proxy, distinct tokens' },
  { name: 'foreign', pipeline: 'foreign', cold: false, path: '/foreign/bench', auth: true, label: '(d) portcullis-guard, foreign JWKS token + proxy' },
  { name: 'foreign-cold', pipeline: 'foreign', cold: true, path: '/foreign/bench', auth: true, label: '(d) portcullis-guard, foreign JWKS tokens, distinct + proxy' },
];

/** The targets with one token: the sanity checks' full set of checks runs on these. */
export const WARM_TARGETS: readonly Target[] = TARGETS.filter((t) => !t.cold);

export const targetNamed = (name: TargetName): Target => TARGETS.find((t) => t.name === name)!;

/** The row's name in the table: `guard (cold)` for `guard-cold`. */
export const rowName = (t: Target): string => (t.cold ? `${t.pipeline} (cold)` : t.name);

/** The identity headers the guard adds upstream, as the echo upstream reflected them. */
export type Identity = Record<string, string>;

/**
 * Portcullis's own token (every pipeline but `foreign`) and one of the local JWKS issuer
 * (`foreign`); and for the cold targets, BENCH_TOKENS distinct ones of each.
 */
export interface Tokens {
  own: string;
  foreign: string;
  ownCold: string[];
  foreignCold: string[];
}

/** The warm token of the target's pipeline. */
export const tokenFor = (target: Target, tokens: Tokens): string => (target.pipeline === 'foreign' ? tokens.foreign : tokens.own);

/** The tokens a target's requests carry in rotation: its warm token alone, or all cold ones. */
export function tokensFor(target: Target, tokens: Tokens): string[] {
  if (!target.cold) return [tokenFor(target, tokens)];
  return target.pipeline === 'foreign' ? tokens.foreignCold : tokens.ownCold;
}

/**
 * Every warm target but `foreign` gets byte-identical requests, the token included (the no-auth
 * pipeline simply forwards it), so the difference between targets is the policy and nothing else;
 * `foreign` carries a token of the same shape and size from another issuer. The headers besides
 * `authorization`, which the rotation sets on every request:
 */
export function extraHeaders(target: Target, identity: Identity, sameUpstream: boolean): Record<string, string> {
  // Diagnostic control: the other targets send the identity headers the guard adds, so the
  // upstream receives and echoes the same bytes for all of them, isolating the policy's own cost.
  return sameUpstream && target.pipeline !== 'guard' ? { ...identity } : {};
}
