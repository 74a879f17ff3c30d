import type { IssuerUnderTest } from './issuer-under-test';
import { startOidcProvider } from './oidc-provider-issuer';
import { startPortcullis } from './portcullis-issuer';
import { pickPort } from './processes';
import type { BenchSettings } from './settings';

/**
 * Every issuer process of the run, all up at once so that rounds can interleave them: Portcullis
 * on SQLite and on Redis, each with an RS256 instance (all operations) and an ES256 one (client
 * credentials: a key ring signs with one algorithm), and node-oidc-provider with both keys.
 * Ports: BENCH_ISSUER_PORT_BASE + 0..5, or free ones.
 */
export async function startIssuers(s: BenchSettings, dir: string): Promise<IssuerUnderTest[]> {
  const started: IssuerUnderTest[] = [];
  try {
    let offset = 0;
    for (const store of ['sqlite', 'redis'] as const) {
      for (const alg of ['RS256', 'ES256'] as const) {
        const port = await pickPort(s.portBase, offset++);
        started.push(await startPortcullis({ store, alg, userGrants: alg === 'RS256', dir, port, redisUrl: s.redisUrl }));
      }
    }
    started.push(await startOidcProvider({ dir, port: await pickPort(s.portBase, offset++), controlPort: await pickPort(s.portBase, offset++), redisUrl: s.redisUrl }));
    return started;
  } catch (err) {
    await Promise.allSettled(started.map((i) => i.close()));
    throw err;
  }
}
