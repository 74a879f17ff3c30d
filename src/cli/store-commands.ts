import { Command } from 'commander';
import { ConflictError } from '../errors/domain-errors';
import type { Store } from '../store/store';
import { fail, print } from './output';

/** `portcullis store ...`: moving the store's contents. */
export function storeCommand(): Command {
  const store = new Command('store').description('move the store between deployments');

  store
    .command('import-redis')
    .description('copy every live record from a standalone or Sentinel-layout Redis (e.g. into a new Redis Cluster) into the configured store, which must not hold any record of those kinds yet')
    .requiredOption('--from <url>', 'the Redis to copy from: redis:// or rediss:// URL (user:password@ allowed)')
    .option('--from-prefix <prefix>', 'the key prefix there (its store.redisKeyPrefix)', 'portcullis:')
    .option('--json', 'print JSON')
    .action(async (opts) => {
      let target: Store | undefined;
      try {
        // Loaded when the command runs, not when the command line is built (see with-runtime.ts).
        /* eslint-disable @typescript-eslint/no-require-imports */
        const { loadSettings } = require('../config/load-settings') as typeof import('../config/load-settings');
        const { applyEnvironmentDefaults } = require('../config/environment') as typeof import('../config/environment');
        const { openStore } = require('../store/open-store') as typeof import('../store/open-store');
        /* eslint-enable @typescript-eslint/no-require-imports */
        applyEnvironmentDefaults();
        target = await openStore(loadSettings().store);
        const copied = await importRedis(String(opts.from), String(opts.fromPrefix), target);
        print(copied, !!opts.json, () => Object.entries(copied.kinds).map(([kind, n]) => `${kind}: ${n}`).concat(`copied ${copied.records} records`).join('\n'));
      } catch (err) {
        fail(err, !!opts.json);
      } finally {
        await target?.close();
      }
    });

  return store;
}

/** A record as the Redis store keeps it: `v` value JSON, `exp` epoch ms, `idx` indexes JSON. */
interface RawRecord {
  kind: string;
  id: string;
  value: unknown;
  expiresAt?: number;
  indexes: Record<string, string>;
}

/** SCAN patterns treat `*?[]\` as glob syntax; a prefix is matched literally. */
const globEscape = (text: string) => text.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Reads every live record of the standalone layout (`<prefix>rec:<kind>:<id>`, see redis-keys.ts)
 * and writes it into `target` with its expiry and indexes, so the target's own layout (hash-tagged
 * in Cluster mode) and index sets are made by the target itself. Versions start again at 1: they
 * only order concurrent writes, and the gateways are stopped while this runs. Refuses, before
 * writing anything, when the target already holds a record of a kind it would copy: a started
 * gateway writes its own signing key and secret hash key, which must not be mixed with the old ones.
 */
export async function importRedis(from: string, prefix: string, target: Store, now = Date.now()): Promise<{ records: number; kinds: Record<string, number> }> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createClient } = require('redis') as typeof import('redis');
  const source = createClient({ url: from, disableOfflineQueue: true, socket: { connectTimeout: 5000, reconnectStrategy: false } });
  source.on('error', () => undefined);
  await source.connect();
  const records: RawRecord[] = [];
  try {
    const recordPrefix = `${prefix}rec:`;
    for await (const keys of source.scanIterator({ MATCH: `${globEscape(recordPrefix)}*`, COUNT: 500 })) {
      for (const key of keys) {
        const rest = key.slice(recordPrefix.length);
        const colon = rest.indexOf(':');
        if (colon <= 0) continue;
        const [v, exp, idx] = await source.hmGet(key, ['v', 'exp', 'idx']);
        if (v == null) continue; // expired or deleted since the scan
        const expiresAt = exp ? Number(exp) : undefined;
        if (expiresAt !== undefined && expiresAt <= now) continue;
        records.push({ kind: rest.slice(0, colon), id: rest.slice(colon + 1), value: JSON.parse(v), expiresAt, indexes: idx ? JSON.parse(idx) : {} });
      }
    }
  } finally {
    await source.close().catch(() => source.destroy());
  }
  const kinds: Record<string, number> = {};
  for (const r of records) kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
  for (const kind of Object.keys(kinds)) {
    if ((await target.list(kind)).length > 0) {
      throw new ConflictError(`the configured store already holds ${kind} records: import into an empty store, before any gateway starts on it`);
    }
  }
  for (const r of records) await target.put(r.kind, r.id, r.value, { ...(r.expiresAt !== undefined ? { expiresAt: r.expiresAt } : {}), indexes: r.indexes });
  return { records: records.length, kinds: Object.fromEntries(Object.entries(kinds).sort()) };
}
