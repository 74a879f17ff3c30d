// Redis by nature (two gateways share one Redis), so not under eachStore.
import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { twoGatewaySuite } from '../helpers/two-gateway-suite';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/**
 * Two gateway instances sharing one standalone Redis: the deployment the Redis store exists for
 * (the same suite runs on a three-master cluster in redis-cluster-three-masters.test.ts).
 */
twoGatewaySuite('e2e: two gateway nodes on one Redis', async () => {
  const prefix = `portcullis-e2e:${randomBytes(4).toString('hex')}:`;
  return {
    env: { PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: REDIS_URL, PORTCULLIS_REDIS_PREFIX: prefix, PORTCULLIS_ISSUER: 'http://issuer.cluster.test' },
    cleanup: async () => {
      const redis = createClient({ url: REDIS_URL });
      await redis.connect();
      for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
      await redis.close();
    },
  };
});
