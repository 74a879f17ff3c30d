import { fmt } from '../common/report';
import { perRound, spreadOf, targetRow, type Target, type TargetRow } from '../common/suite';
import type { RunResult } from './measure';
import type { StandaloneSettings } from './settings';

type Rounds = Array<Record<string, RunResult>>;

const of = (rounds: Rounds, id: string, k: 'rps' | 'cpuUs') => rounds.map((r) => r[id]?.[k]);
const med = (v: Array<number | undefined>) => spreadOf(v).median;

/**
 * The guard cannot beat no auth, so guard / `other` is bounded above by no-auth / `other` in the
 * same round: shown beside the comparison, so a target above that bound reads as one no guard can
 * reach on this machine, not as a shortfall of the guard's.
 */
function boundNote(rounds: Rounds, noauth: string | undefined, other: string): string {
  if (!noauth || !rounds[0]?.[noauth]) return '';
  const bound = spreadOf(perRound(of(rounds, noauth, 'rps'), of(rounds, other, 'rps'), (a, b) => a / b)).median;
  return ` (bound no-auth / it ${fmt(bound, 2)}x)`;
}

/** One row: guard / `other` req/s within each round; CPU per request of both beside it. */
function row(rounds: Rounds, guard: string, key: string, measure: string, other: string, otherLabel: string, target: Target, noauth?: string): TargetRow | undefined {
  if (!rounds[0]?.[guard] || !rounds[0]?.[other]) return undefined;
  return targetRow({
    key: `standalone.${key}`,
    measure,
    portcullis: `guard ${fmt(med(of(rounds, guard, 'rps')))} req/s`,
    comparison: `${otherLabel} ${fmt(med(of(rounds, other, 'rps')))} req/s${boundNote(rounds, noauth, other)}`,
    figure: spreadOf(perRound(of(rounds, guard, 'rps'), of(rounds, other, 'rps'), (a, b) => a / b)),
    cpu: `${fmt(med(of(rounds, guard, 'cpuUs')))} / ${fmt(med(of(rounds, other, 'cpuUs')))} µs`,
    target,
  });
}

/** The plain-Express lines of the issue-12 table (the cases BENCH_STANDALONE_CASES left out give none). */
export function standaloneRows(rounds: Rounds, settings: StandaloneSettings): TargetRow[] {
  const tokens = settings.tokens.toLocaleString('en-US');
  return [
    row(rounds, 'guard/warm', 'guard-vs-oauth2-bearer.warm', 'plain Express: guard / express-oauth2-jwt-bearer, one token (warm)', 'oauth2-bearer/warm', 'oauth2-bearer', { op: '>=', value: 2, unit: 'x' }, 'noauth/warm'),
    row(rounds, 'guard/cold', 'guard-vs-oauth2-bearer.cold', `plain Express: guard / express-oauth2-jwt-bearer, ${tokens} distinct tokens (cold)`, 'oauth2-bearer/cold', 'oauth2-bearer', { op: '>=', value: 1.3, unit: 'x' }),
    row(rounds, 'guard/warm', 'guard-vs-noauth.warm', 'plain Express: guard / no-auth, one token (warm)', 'noauth/warm', 'no-auth', { op: '>=', value: 0.95, unit: 'x' }),
  ].filter((r): r is TargetRow => r !== undefined);
}
