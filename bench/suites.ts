import { run as runCli, cliSettings } from './cli/run';
import type { Defaults, SuiteName, SuiteResult } from './common/suite';
import { run as runGateway } from './gateway/run';
import { settingsFromEnv as gatewaySettings } from './gateway/settings';
import { run as runIssuer } from './issuer/run';
import { settingsFromEnv as issuerSettings } from './issuer/settings';
import { run as runMemory } from './memory/run';
import { memorySettings } from './memory/settings';
import { run as runStandalone } from './standalone/run';
import { readSettings as standaloneSettings } from './standalone/settings';

/**
 * What `npm run bench` gives each suite under the BENCH_* variables: shorter runs and more rounds
 * than a suite on its own (the spread over 5 rounds means something; the whole run stays under
 * ~25 minutes on 2 cores), 11,000 cold tokens, and only what the issue-12 table needs (client
 * credentials of the issuer suite; the gateway's and the standalone suite's cases of the table).
 * BENCH_QUICK=1: a smoke run of a few minutes whose figures mean little.
 */
export function suiteDefaults(quick: boolean): Record<SuiteName, Defaults> {
  const gatewayTargets = 'noauth,guard,guard-cold,egjwt';
  const standaloneCases = 'guard/warm,guard/cold,oauth2-bearer/warm,oauth2-bearer/cold,noauth/warm';
  if (quick) {
    return {
      gateway: { BENCH_DURATION: 2, BENCH_WARMUP: 1, BENCH_ROUNDS: 2, BENCH_QUIET_WAIT: 0, BENCH_TOKENS: 1000, BENCH_GATEWAY_TARGETS: gatewayTargets },
      standalone: { BENCH_DURATION: 2, BENCH_WARMUP: 1, BENCH_ROUNDS: 2, BENCH_TOKENS: 1000, BENCH_STANDALONE_CASES: standaloneCases },
      issuer: { BENCH_ISSUER_DURATION: 2, BENCH_ISSUER_WARMUP: 1, BENCH_ISSUER_ROUNDS: 2, BENCH_ISSUER_ONLY: 'cc-rs256,cc-es256', BENCH_ISSUER_SIGN_MS: 300 },
      memory: { BENCH_MEMORY_TOKENS: 2000, BENCH_MEMORY_CASES: 'own-es256,trusted-rs256' },
      cli: { BENCH_CLI_RUNS: 3, BENCH_CLI_WARMUP: 1, BENCH_CLI_NPX: 0 },
    };
  }
  return {
    gateway: { BENCH_DURATION: 5, BENCH_WARMUP: 2, BENCH_ROUNDS: 5, BENCH_QUIET_WAIT: 3, BENCH_TOKENS: 11000, BENCH_GATEWAY_TARGETS: gatewayTargets },
    standalone: { BENCH_DURATION: 5, BENCH_WARMUP: 2, BENCH_ROUNDS: 5, BENCH_TOKENS: 11000, BENCH_STANDALONE_CASES: standaloneCases },
    issuer: { BENCH_ISSUER_DURATION: 5, BENCH_ISSUER_WARMUP: 2, BENCH_ISSUER_ROUNDS: 5, BENCH_ISSUER_ONLY: 'cc-rs256,cc-es256', BENCH_ISSUER_SIGN_MS: 1000 },
    memory: { BENCH_MEMORY_TOKENS: 100_000 },
    cli: { BENCH_CLI_RUNS: 21, BENCH_CLI_WARMUP: 3, BENCH_CLI_NPX: 0 },
  };
}

/** A suite with its settings resolved (defaults under the environment), its time estimate and its runner. */
export interface PlannedSuite {
  name: SuiteName;
  settings: unknown;
  estimateS: number;
  run(): Promise<SuiteResult>;
}

/**
 * Each suite's settings and a rough estimate of its time on this machine (2 cores): set-up,
 * minting, warm-ups and the measured runs.
 */
export function plan(name: SuiteName, d: Defaults): PlannedSuite {
  switch (name) {
    case 'gateway': {
      const s = gatewaySettings(d);
      const l = s.load;
      const perRun = l.warmup + l.duration + (s.quiet.waitS ? 1 : 0) + 0.5;
      return { name, settings: s, estimateS: 35 + s.coldTokens / 1500 + s.targets.length * 3 + l.rounds * s.targets.length * perRun, run: () => runGateway(s) };
    }
    case 'standalone': {
      const s = standaloneSettings(d);
      const cases = s.cases?.length ?? 9;
      return { name, settings: s, estimateS: 8 + s.tokens / 2000 + cases * Math.max(s.warmup, 2) + s.rounds * cases * (s.warmup + s.duration + 0.3), run: () => runStandalone(s) };
    }
    case 'issuer': {
      const s = issuerSettings(d);
      const targets = (s.only?.length ?? 4) * 3;
      return { name, settings: s, estimateS: 30 + s.rounds * (targets * (s.warmup + s.duration + 0.5) + (2 * s.signMs) / 1000), run: () => runIssuer(s) };
    }
    case 'memory': {
      const s = memorySettings(d);
      const mint = s.cases.reduce((t, c) => t + s.tokens / (c.endsWith('rs256') ? 1800 : 8000), 0);
      return { name, settings: s, estimateS: s.cases.length * (6 + (2 * s.tokens) / 3000) + mint, run: () => runMemory(s) };
    }
    case 'cli': {
      const s = cliSettings(d);
      return { name, settings: s, estimateS: 2 + (s.runs + s.warmup) * (4 * 0.25 + (s.npx ? 1.3 : 0)), run: () => runCli(s) };
    }
  }
}
