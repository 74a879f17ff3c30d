import { fmt } from '../common/report';
import { perRound, spreadOf, targetRow, type TargetRow } from '../common/suite';
import type { Product } from './issuer-under-test';
import type { TargetSummary } from './report';
import type { SigningRun } from './signing';

const STORE: Record<Exclude<Product, 'oidc-provider'>, string> = { 'portcullis-sqlite': 'SQLite', 'portcullis-redis': 'Redis' };

/**
 * The issuer's lines of the issue-12 table: client-credentials tokens/s against
 * node-oidc-provider (per round, then median and range), and the CPU per token over signing
 * alone (the issuer's CPU per request minus jose's CPU per signature measured after the same round).
 */
export function issuerRows(summary: TargetSummary[], signing: SigningRun[][]): TargetRow[] {
  const rows: TargetRow[] = [];
  const find = (op: string, product: Product) => summary.find((s) => s.operation === op && s.product === product);
  for (const alg of ['RS256', 'ES256'] as const) {
    const op = `cc-${alg.toLowerCase()}`;
    const ref = find(op, 'oidc-provider');
    if (!ref) continue;
    const refRps = ref.rounds.map((r) => r.requestsPerSec);
    const refCpu = ref.rounds.map((r) => r.serverCpuUsPerRequest);
    for (const product of ['portcullis-sqlite', 'portcullis-redis'] as const) {
      const s = find(op, product);
      if (!s) continue;
      rows.push(targetRow({
        key: `issuer.${op}.${product.replace('portcullis-', '')}`,
        measure: `client-credentials tokens/s, Portcullis (${STORE[product]}) / node-oidc-provider 9, ${alg}`,
        portcullis: `${fmt(s.requestsPerSec)} tokens/s`,
        comparison: `oidc-provider ${fmt(ref.requestsPerSec)} tokens/s`,
        figure: spreadOf(perRound(s.rounds.map((r) => r.requestsPerSec), refRps, (a, b) => a / b)),
        cpu: `${fmt(s.serverCpuUsPerRequest)} / ${fmt(ref.serverCpuUsPerRequest)} µs`,
        target: { op: '>=', value: 1.5, unit: 'x' },
      }));
    }
  }
  for (const alg of ['RS256', 'ES256'] as const) {
    const op = `cc-${alg.toLowerCase()}`;
    const s = find(op, 'portcullis-sqlite');
    const ref = find(op, 'oidc-provider');
    const signs = signing.map((round) => round.find((x) => x.alg === alg)?.cpuUsPerSign);
    if (!s || !signs.length) continue;
    const overMs = (cpu: Array<number | undefined>) => spreadOf(perRound(cpu, signs, (a, b) => (a - b) / 1000));
    const refOver = ref ? overMs(ref.rounds.map((r) => r.serverCpuUsPerRequest)).median : undefined;
    rows.push(targetRow({
      key: `issuer.cpu-over-signing.${alg.toLowerCase()}`,
      measure: `CPU per token over signing alone, ${alg} (Portcullis on SQLite)`,
      portcullis: `${fmt(s.serverCpuUsPerRequest)} µs/token`,
      comparison: `signing alone ${fmt(spreadOf(signs).median)} µs (oidc-provider: +${fmt(refOver, 3)} ms)`,
      figure: overMs(s.rounds.map((r) => r.serverCpuUsPerRequest)),
      cpu: `${fmt(s.serverCpuUsPerRequest)} µs`,
      target: { op: '<=', value: 0.15, unit: 'ms' },
    }));
  }
  return rows;
}

