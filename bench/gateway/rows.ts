import { fmt } from '../common/report';
import { perRound, spreadOf, targetRow, type TargetRow } from '../common/suite';
import type { Runs } from './rounds';
import type { GatewaySettings } from './settings';

const rps = (runs: Runs, name: keyof Runs) => runs[name].map((r) => r.requestsPerSec);
const cpu = (runs: Runs, name: keyof Runs) => runs[name].map((r) => r.gatewayCpuUsPerRequest);
const med = (v: Array<number | undefined>) => spreadOf(v).median;
const us = (v: Array<number | undefined>) => `${fmt(med(v))} µs`;

/**
 * The gateway's lines of the issue-12 table, every figure computed within each round (runs
 * seconds apart) and then the median and range over rounds.
 */
export function gatewayRows(runs: Runs, settings: GatewaySettings): TargetRow[] {
  const ratio = (a: number, b: number) => a / b;
  const tokens = settings.coldTokens.toLocaleString('en-US');
  const rows: TargetRow[] = [
    targetRow({
      key: 'gateway.guard-vs-noauth.warm',
      measure: 'gateway: guard / no-auth req/s, one token (warm)',
      portcullis: `guard ${fmt(med(rps(runs, 'guard')))} req/s`,
      comparison: `no-auth ${fmt(med(rps(runs, 'noauth')))} req/s`,
      figure: spreadOf(perRound(rps(runs, 'guard'), rps(runs, 'noauth'), ratio)),
      cpu: `${us(cpu(runs, 'guard'))} / ${us(cpu(runs, 'noauth'))}`,
      target: { op: '>=', value: 0.97, unit: 'x' },
    }),
    targetRow({
      key: 'gateway.guard-cpu-added.warm',
      measure: 'gateway: CPU the guard adds per request over no-auth, one token',
      portcullis: `guard ${us(cpu(runs, 'guard'))}/req`,
      comparison: `no-auth ${us(cpu(runs, 'noauth'))}/req`,
      figure: spreadOf(perRound(cpu(runs, 'guard'), cpu(runs, 'noauth'), (a, b) => a - b)),
      cpu: `${us(cpu(runs, 'guard'))} / ${us(cpu(runs, 'noauth'))}`,
      target: { op: '<=', value: 15, unit: 'us' },
    }),
  ];
  if (runs.egjwt.length) {
    // The guard cannot beat no auth, so guard / jwt is bounded by no-auth / jwt: the figure is the share of that bound reached.
    const bound = perRound(rps(runs, 'noauth'), rps(runs, 'egjwt'), ratio);
    rows.push(targetRow({
      key: 'gateway.guard-vs-egjwt.warm',
      measure: 'gateway: guard / EG `jwt` req/s, against its bound no-auth / `jwt`',
      portcullis: `guard / jwt ${fmt(spreadOf(perRound(rps(runs, 'guard'), rps(runs, 'egjwt'), ratio)).median, 2)}x`,
      comparison: `bound ${fmt(spreadOf(bound).median, 2)}x (jwt ${fmt(med(rps(runs, 'egjwt')))} req/s)`,
      figure: spreadOf(perRound(perRound(rps(runs, 'guard'), rps(runs, 'egjwt'), ratio), bound, ratio)),
      cpu: `${us(cpu(runs, 'guard'))} / jwt ${us(cpu(runs, 'egjwt'))}`,
      target: { op: '>=', value: 0.97, unit: 'x' },
    }));
  }
  if (runs['guard-cold'].length) {
    rows.push(targetRow({
      key: 'gateway.guard-vs-noauth.cold',
      measure: `gateway: guard / no-auth req/s, ${tokens} distinct tokens (cold)`,
      portcullis: `guard ${fmt(med(rps(runs, 'guard-cold')))} req/s`,
      comparison: `no-auth ${fmt(med(rps(runs, 'noauth')))} req/s`,
      figure: spreadOf(perRound(rps(runs, 'guard-cold'), rps(runs, 'noauth'), ratio)),
      cpu: `${us(cpu(runs, 'guard-cold'))} / ${us(cpu(runs, 'noauth'))}`,
      target: { op: '>=', value: 0.9, unit: 'x' },
    }));
  }
  return rows;
}
