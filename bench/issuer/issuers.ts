import type { IssuerUnderTest } from './issuer-under-test';
import { startOidcProvider } from './oidc-provider-issuer';
import { startPortcullis } from './portcullis-issuer';
import { pickPort, type ProcessGroup } from '../common/processes';
import type { BenchSettings } from './settings';

/**
 * Every issuer process of the run, all up at once so that rounds can interleave them: Portcullis
 * on SQLite and on Redis, each with an RS256 instance (all operations) and an ES256 one (client
 * credentials: a key ring signs with one algorithm), and node-oidc-provider with both keys.
 * Ports: BENCH_ISSUER_PORT_BASE (or BENCH_PORT_BASE + 20) + 0..5 (the four gateways,
 * oidc-provider, its control listener), or free ones. They start in parallel (each on its own store), which saves half a
 * minute of start-up.
 */
export async function startIssuers(s: BenchSettings, dir: string, procs: ProcessGroup): Promise<IssuerUnderTest[]> {
  const ports: number[] = [];
  for (let offset = 0; offset < 6; offset++) ports.push(await pickPort(s.portBase, offset));
  const starting: Array<Promise<IssuerUnderTest>> = [];
  for (const store of ['sqlite', 'redis'] as const) {
    for (const alg of ['RS256', 'ES256'] as const) {
      starting.push(startPortcullis({ store, alg, userGrants: alg === 'RS256', dir, port: ports[starting.length], redisUrl: s.redisUrl, procs }));
    }
  }
  starting.push(startOidcProvider({ dir, port: ports[4], controlPort: ports[5], redisUrl: s.redisUrl, procs }));
  const settled = await Promise.allSettled(starting);
  const started = settled.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((i) => i.close()));
    throw failure.reason;
  }
  return started;
}
