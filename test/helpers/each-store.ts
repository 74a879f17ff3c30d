import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { RedisStore } from '../../src/store/redis-store';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { Store } from '../../src/store/store';

export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

export type StoreLabel = 'sqlite' | 'redis';
const LABELS: readonly StoreLabel[] = ['sqlite', 'redis'];

/** The `store` section of the settings for a backend (gateway processes, runtimes opened from settings). */
export type StoreSettings = { sqlitePath: string } | { type: 'redis'; redisUrl: string; redisKeyPrefix: string };

/**
 * One backend a feature suite runs on. Every `open` is a fresh, empty store (SQLite `:memory:`,
 * or Redis under a key prefix of its own), and `cleanup` deletes every Redis key this backend's
 * stores and settings used.
 */
export interface StoreBackend {
  label: StoreLabel;
  /** A fresh store whose expiry follows `now` (the runtime's controllable clock). */
  open(now?: () => number): Promise<Store>;
  /** Settings naming a fresh store of this backend; `sqlitePath` is used for SQLite. */
  settings(sqlitePath?: string): StoreSettings;
  /** Environment for a gateway process (and its CLI) on a fresh store of this backend; SQLite: gateway-process.ts's file. */
  env(): NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/**
 * The backends to run, from `PORTCULLIS_TEST_STORES` (space- or comma-separated; default
 * `sqlite redis`). An unknown name is an error, so that a typo does not silently skip a backend.
 */
export function enabledStores(): StoreLabel[] {
  const raw = process.env.PORTCULLIS_TEST_STORES ?? 'sqlite redis';
  const names = raw.split(/[\s,]+/).filter(Boolean);
  for (const name of names) {
    if (!LABELS.includes(name as StoreLabel)) throw new Error(`PORTCULLIS_TEST_STORES: unknown store "${name}" (known: ${LABELS.join(', ')})`);
  }
  return LABELS.filter((label) => names.includes(label));
}

/**
 * Runs a suite once per enabled backend, as Kong's `helpers.each_strategy()` does: each run is a
 * `describe` titled `${title} [sqlite]` / `[redis]`, and the backend's Redis keys are deleted after it.
 */
export function eachStore(title: string, body: (this: Mocha.Suite, store: StoreBackend) => void): void {
  for (const label of enabledStores()) {
    describe(`${title} [${label}]`, function () {
      const store = storeBackend(label);
      after(() => store.cleanup());
      body.call(this, store);
    });
  }
}

/** A backend by name; every Redis key it hands out starts with one prefix of its own. */
export function storeBackend(label: StoreLabel): StoreBackend {
  if (label === 'sqlite') {
    return {
      label,
      open: async (now) => new SqliteStore({ path: ':memory:', now }),
      settings: (sqlitePath = ':memory:') => ({ sqlitePath }),
      env: () => ({}),
      cleanup: async () => undefined,
    };
  }
  const run = `portcullis-test:${randomBytes(6).toString('hex')}:`;
  let opened = 0;
  const freshPrefix = () => `${run}${opened++}:`;
  return {
    label,
    open: (now) => RedisStore.open({ url: REDIS_URL, keyPrefix: freshPrefix(), now }),
    settings: () => ({ type: 'redis', redisUrl: REDIS_URL, redisKeyPrefix: freshPrefix() }),
    env: () => ({ PORTCULLIS_STORE: 'redis', PORTCULLIS_REDIS_URL: REDIS_URL, PORTCULLIS_REDIS_PREFIX: freshPrefix() }),
    cleanup: () => deleteRedisKeys(run),
  };
}

/** Deletes every key under `prefix`, through a client of its own. */
export async function deleteRedisKeys(prefix: string, url = REDIS_URL): Promise<void> {
  const client = createClient({ url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for await (const keys of client.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) {
      if (keys.length > 0) await client.del(keys);
    }
  } finally {
    await client.close();
  }
}

/** The store a gateway process started with `env` uses, opened beside it (as its CLI would). */
export async function openGatewayStore(env: NodeJS.ProcessEnv): Promise<Store> {
  if (env.PORTCULLIS_STORE === 'redis') return RedisStore.open({ url: env.PORTCULLIS_REDIS_URL!, keyPrefix: env.PORTCULLIS_REDIS_PREFIX });
  return new SqliteStore({ path: env.PORTCULLIS_SQLITE_PATH! });
}
