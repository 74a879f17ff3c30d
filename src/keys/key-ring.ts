import type { JWK } from 'jose';
import type { SigningAlgorithm } from '../config/settings';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';
import { generateSigningKey, loadSigningKey, type LoadedKey, type StoredSigningKey } from './signing-key';

const KEYS = 'signing-keys';
const META = 'meta';
const ACTIVE = 'active-signing-key';
/** How often a node re-reads the key set, so a rotation made elsewhere (CLI, another node) is seen. */
const REFRESH_MS = 30_000;
/** Unknown `kid`s trigger a re-read at most this often, so random kids cannot hammer the store. */
const UNKNOWN_KID_RELOAD_MS = 5_000;

export interface KeyRingOptions {
  algorithm: SigningAlgorithm;
  /** The longest lifetime of anything signed (access and ID tokens), in seconds. */
  maxTokenLifetime: number;
  now?: () => number;
  logger?: Logger;
}

/**
 * The issuer's signing keys: one active key signs, every key whose tokens may still be alive is
 * published in the JWKS. Keys live in the store, so every gateway node and the CLI share them.
 */
export class KeyRing {
  private keys = new Map<string, LoadedKey>();
  private activeKid?: string;
  private loadedAt = 0;
  /** When a re-read last failed: while the store is down, retry at most every UNKNOWN_KID_RELOAD_MS. */
  private failedAt = -Infinity;
  private reloading?: Promise<void>;
  /** Grows with every change announced by another node (see `changed`). */
  private changes = 0;
  private readonly now: () => number;

  constructor(private readonly store: Store, private readonly options: KeyRingOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Loads the keys, generating the first one if the store has none. */
  async init(): Promise<void> {
    await this.ensureActiveKey();
    await this.reload();
  }

  /**
   * Generates the first key if the store has none, without loading the key set: what the command
   * line does instead of `init`, as most of its commands sign nothing (importing keys loads jose).
   */
  async ensureActiveKey(): Promise<void> {
    if (!(await this.store.get<{ kid: string }>(META, ACTIVE))) {
      const key = await generateSigningKey(this.options.algorithm, this.now());
      await this.store.create(KEYS, key.kid, key);
      // Two nodes starting together: only one pointer wins; the loser's key is simply unused.
      if (await this.store.create(META, ACTIVE, { kid: key.kid })) {
        this.options.logger?.info('generated signing key', { kid: key.kid, alg: key.alg });
      } else {
        await this.store.delete(KEYS, key.kid);
      }
    }
  }

  /** The key that signs new tokens. */
  active(): LoadedKey {
    if (this.now() - this.loadedAt > REFRESH_MS) void this.reloadOnce();
    const key = this.activeKid ? this.keys.get(this.activeKid) : undefined;
    if (!key) throw new Error('key ring not initialised');
    return key;
  }

  /** Seconds since the active key was made (the `portcullis_signing_key_age_seconds` gauge), or undefined before init. */
  activeAgeSeconds(at: number): number | undefined {
    const key = this.activeKid ? this.keys.get(this.activeKid) : undefined;
    return key && (at - key.stored.createdAt) / 1000;
  }

  /**
   * The published key with this kid, re-reading the store first if the key set in memory is older
   * than the refresh interval (so a retirement made by another node or the CLI is seen), and
   * (rate-limited) if the kid is unknown.
   */
  async verificationKey(kid: string): Promise<LoadedKey | undefined> {
    if (this.stale() && this.mayRetry()) await this.reloadOnce();
    let key = this.keys.get(kid);
    if (!key && this.now() - this.loadedAt > UNKNOWN_KID_RELOAD_MS) {
      await this.reloadOnce();
      key = this.keys.get(kid);
    }
    return key && this.isPublished(key.stored) ? key : undefined;
  }

  /**
   * A known, published key without touching the store (the guard's fast path, also on every hit
   * of its verified-token cache). Undefined once the key set in memory is older than the refresh
   * interval: the caller then waits for `verificationKey`, which re-reads it, so no decision rests
   * on a key set older than that (a key retired elsewhere fails here within REFRESH_MS).
   */
  cachedKey(kid: string): LoadedKey | undefined {
    if (this.stale()) {
      if (this.mayRetry()) void this.reloadOnce();
      return undefined;
    }
    const key = this.keys.get(kid);
    return key && this.isPublished(key.stored) ? key : undefined;
  }

  /**
   * The keys were changed elsewhere (announced on the change feed, src/store/change-feed.ts): the
   * key set in memory is stale at once, so the next verification re-reads it and a key withdrawn
   * with `retireNow` is refused on every node as soon as the announcement arrives.
   */
  changed(): void {
    this.changes++;
    this.loadedAt = -Infinity;
    this.failedAt = -Infinity;
  }

  /** The JWK Set to publish (RFC 7517 §5): public parts only. */
  jwks(): { keys: JWK[] } {
    if (this.now() - this.loadedAt > REFRESH_MS) void this.reloadOnce();
    return { keys: [...this.keys.values()].filter((k) => this.isPublished(k.stored)).map((k) => k.publicJwk) };
  }

  /**
   * Makes a new key the active one. The old key keeps being published until every token it may
   * have signed has expired (its lifetime, plus the time other nodes take to notice, plus a margin).
   * With `retireNow` (a leaked key) it is withdrawn at once instead: every token it signed is
   * refused here now and on other nodes within REFRESH_MS, cached verifications included.
   */
  async rotate(algorithm: SigningAlgorithm = this.options.algorithm, options: { retireNow?: boolean } = {}): Promise<StoredSigningKey> {
    const pointer = await this.store.get<{ kid: string }>(META, ACTIVE);
    const next = await generateSigningKey(algorithm, this.now());
    await this.store.create(KEYS, next.kid, next);
    const swapped = pointer
      ? await this.store.compareAndSet(META, ACTIVE, pointer.version, { kid: next.kid })
      : (await this.store.create(META, ACTIVE, { kid: next.kid })) && 1;
    if (!swapped) {
      await this.store.delete(KEYS, next.kid);
      throw new Error('another rotation happened at the same time; try again');
    }
    if (pointer) await this.retire(pointer.value.kid, options.retireNow ?? false);
    await this.pruneExpired();
    await this.reload();
    this.options.logger?.info('rotated signing key', { kid: next.kid, alg: next.alg, previous: pointer?.value.kid });
    return next;
  }

  /** Every stored key's public description, for `portcullis keys list`. */
  async describe(): Promise<Array<Omit<StoredSigningKey, 'privateJwk'> & { active: boolean }>> {
    const pointer = await this.store.get<{ kid: string }>(META, ACTIVE);
    const records = await this.store.list<StoredSigningKey>(KEYS);
    return records.map(({ value: { privateJwk: _secret, ...rest } }) => ({ ...rest, active: rest.kid === pointer?.value.kid }));
  }

  private async retire(kid: string, now: boolean): Promise<void> {
    const record = await this.store.get<StoredSigningKey>(KEYS, kid);
    if (!record || record.value.retiredAt) return;
    const retiredAt = this.now();
    const publishUntil = now ? retiredAt : retiredAt + (this.options.maxTokenLifetime * 1000) + REFRESH_MS + 60_000;
    await this.store.put(KEYS, kid, { ...record.value, retiredAt, publishUntil });
  }

  private async pruneExpired(): Promise<void> {
    for (const record of await this.store.list<StoredSigningKey>(KEYS)) {
      if (!this.isPublished(record.value)) await this.store.delete(KEYS, record.id);
    }
  }

  private stale(): boolean {
    return this.now() - this.loadedAt > REFRESH_MS;
  }

  private mayRetry(): boolean {
    return this.now() - this.failedAt > UNKNOWN_KID_RELOAD_MS;
  }

  private isPublished(key: StoredSigningKey): boolean {
    return key.publishUntil === undefined || key.publishUntil > this.now();
  }

  private reloadOnce(): Promise<void> {
    this.reloading ??= this.reload()
      .catch((err) => {
        this.failedAt = this.now();
        this.options.logger?.warn('could not reload signing keys', { cause: String(err) });
      })
      .finally(() => { this.reloading = undefined; });
    return this.reloading;
  }

  private async reload(): Promise<void> {
    const changes = this.changes;
    const pointer = await this.store.get<{ kid: string }>(META, ACTIVE);
    const records = await this.store.list<StoredSigningKey>(KEYS);
    if (this.activeKid && (!pointer || !records.some((r) => r.value.kid === pointer.value.kid))) {
      // A store that lost its keys (a Redis restarted without persistence, a restore gone wrong):
      // keep signing and verifying with the key set in memory rather than with none, and say so.
      this.options.logger?.warn('the store holds no active signing key; keeping the keys in memory', { active: this.activeKid });
      this.loadedAt = changes === this.changes ? this.now() : -Infinity;
      return;
    }
    if (!pointer || !records.some((r) => r.value.kid === pointer.value.kid)) {
      // A store that lost its keys (a Redis restarted without persistence, a restore gone wrong):
      // keep signing and verifying with the key set in memory rather than with none, and say so.
      this.options.logger?.warn('the store holds no active signing key; keeping the keys in memory', { active: this.activeKid });
      this.loadedAt = this.now();
      return;
    }
    const next = new Map<string, LoadedKey>();
    for (const { value } of records) {
      const known = this.keys.get(value.kid);
      next.set(value.kid, known && known.stored.publishUntil === value.publishUntil ? known : await loadSigningKey(value));
    }
    this.keys = next;
    this.activeKid = pointer?.value.kid;
    // A change announced while these reads were on their way may postdate them: read again.
    this.loadedAt = changes === this.changes ? this.now() : -Infinity;
  }
}
