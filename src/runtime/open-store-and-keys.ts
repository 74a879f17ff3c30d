import type { PortcullisSettings } from '../config/settings';
import { SettingsError } from '../config/settings';
import { ClientRegistry } from '../clients/client-registry';
import { loadSecretHashKey, parseSecretHashKey } from '../clients/secret-hash-key';
import { readStoredRoles } from '../admin/role-registry';
import { KeyRing } from '../keys/key-ring';
import type { Logger } from '../logging/logger';
import { checkBootstrapAdmin } from '../startup/environment-check';
import { PollingFeed, type ChangeFeed } from '../store/change-feed';
import { failClosed } from '../store/fail-closed';
import { notifying } from '../store/notifying-store';
import { openChangeFeed } from '../store/open-change-feed';
import { openStore } from '../store/open-store';
import type { Store } from '../store/store';
import type { RuntimeOptions } from './runtime-options';

/** What every runtime stands on: the store (announcing its writes), its change feed, the keys, the clients. */
export interface StoreAndKeys {
  store: Store;
  feed: ChangeFeed;
  keys: KeyRing;
  hashKey: Buffer;
  clients: ClientRegistry;
  logger: Logger;
  now: () => number;
}

/**
 * Everything that can refuse the environment, run before the store is opened: once it is open, the
 * key ring writes a signing key, and a refusal after that would leave a half-initialised store.
 */
export function refuseBadEnvironment(env: NodeJS.ProcessEnv = process.env): void {
  parseSecretHashKey(env.PORTCULLIS_SECRET_HASH_KEY);
  const adminProblems = checkBootstrapAdmin(env);
  if (adminProblems.length) throw new SettingsError(`invalid environment: ${adminProblems.join('; ')}`);
}

export interface OpenStoreOptions {
  logger: Logger;
  /** A wrapper of the store that the runtime reads and writes through (the server meters it). */
  wrap?: (store: Store) => Store;
  /**
   * Load the key set (the server: it signs and verifies), or only make sure an active key exists
   * (the command line: most commands sign nothing, and importing keys loads jose).
   */
  loadKeys: boolean;
}

/**
 * Opens the store and its change feed, creates (first run) or reads the signing key and the secret
 * hash key, then `build`s the runtime on them. If anything fails, the store is closed again.
 */
export async function openStoreAndKeys<T>(settings: PortcullisSettings, options: RuntimeOptions, how: OpenStoreOptions, build: (opened: StoreAndKeys) => Promise<T>): Promise<T> {
  const { logger } = how;
  const now = options.now ?? Date.now;
  const raw = options.store ?? (await openStore(settings.store));
  let feed: ChangeFeed;
  try {
    feed = options.changeFeed ?? (options.store ? new PollingFeed() : await openChangeFeed(settings, { logger, now }));
  } catch (err) {
    await raw.close().catch(() => undefined);
    throw err;
  }
  // Every write to what the guard caches is announced; closing the store closes the feed.
  const announcing = failClosed(notifying(raw, feed));
  const store = how.wrap ? how.wrap(announcing) : announcing;
  try {
    const keys = new KeyRing(store, { algorithm: settings.keys.algorithm, maxTokenLifetime: settings.tokens.accessTokenTtl, now, logger });
    await (how.loadKeys ? keys.init() : keys.ensureActiveKey());
    const hashKey = await loadSecretHashKey(store);
    const clients = new ClientRegistry(store, settings.applications, hashKey, now, (application) => readStoredRoles(store, application), { feed, safetyTtlMs: settings.invalidation.safetyTtlMs, cacheMs: settings.cacheMs });
    return await build({ store, feed, keys, hashKey, clients, logger, now });
  } catch (err) {
    await store.close().catch(() => undefined);
    throw err;
  }
}
