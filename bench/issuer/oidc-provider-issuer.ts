import { randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { request } from '../common/http';
import { heapProbe } from './memory';
import type { Alg, IssuerUnderTest } from './issuer-under-test';
import { HOST, waitUntilReady, type ProcessGroup } from '../common/processes';
import { deletePrefix } from './portcullis-issuer';

const SERVER = path.join(__dirname, 'oidc-provider-server.mjs');
const RESOURCE: Record<Alg, string> = { RS256: 'urn:bench:rs256', ES256: 'urn:bench:es256' };

export interface OidcProviderOptions {
  dir: string;
  port: number;
  controlPort: number;
  redisUrl: string;
  procs: ProcessGroup;
}

/** node-oidc-provider 9 in its own process (oidc-provider-server.mjs), on Redis, both algorithms. */
export async function startOidcProvider(o: OidcProviderOptions): Promise<IssuerUnderTest> {
  const secret = () => randomBytes(32).toString('base64url');
  const service = { id: `bench-service-${randomUUID().slice(0, 8)}`, secret: secret() };
  const web = { id: `bench-web-${randomUUID().slice(0, 8)}`, secret: secret(), redirectUri: 'http://127.0.0.1/bench/callback' };
  const prefix = `bench-op-${randomUUID().slice(0, 8)}:`;
  const env = {
    ...process.env,
    OP_PORT: String(o.port),
    OP_CONTROL_PORT: String(o.controlPort),
    OP_REDIS_URL: o.redisUrl,
    OP_REDIS_PREFIX: prefix,
    OP_CLIENTS: JSON.stringify({ service, web }),
    NODE_ENV: 'production',
  };
  const heapFile = path.join(o.dir, 'oidc-provider.heap.json');
  const heap = heapProbe(heapFile);
  const proc = o.procs.start([...heap.nodeArgs, SERVER], { ...env, ...heap.env }, path.join(o.dir, 'oidc-provider.log'), o.dir);
  const issuer = `http://${HOST}:${o.port}`;
  const control = `http://${HOST}:${o.controlPort}`;
  await waitUntilReady(proc, 'oidc-provider', async () => {
    const res = await request(`${issuer}/.well-known/openid-configuration`);
    const ctl = await request(`${control}/`);
    return res.status === 200 && res.json?.issuer === issuer && ctl.status === 404;
  });
  return {
    product: 'oidc-provider',
    algs: ['RS256', 'ES256'],
    userGrants: true,
    proc,
    heapFile,
    tokenUrl: `${issuer}/token`,
    service,
    web,
    ccParams: (alg) => ({ resource: RESOURCE[alg], scope: 'api:read' }),
    async mintCodes(n) {
      const res = await request(`${control}/mint-codes?n=${n}`, { method: 'POST' });
      const codes = res.json?.codes;
      if (res.status !== 200 || !Array.isArray(codes) || codes.length !== n) throw new Error(`oidc-provider minted no codes: ${res.status} ${res.text.slice(0, 300)}`);
      return codes as string[];
    },
    async close() {
      await o.procs.stop(proc); // the server deletes its own keys on SIGTERM
      await deletePrefix(o.redisUrl, prefix);
    },
  };
}
