import { createPublicKey, type KeyObject } from 'node:crypto';
import { JwksClient } from 'jwks-rsa';
import { LRUCache } from 'lru-cache';
import { TemporarilyUnavailable } from '../errors/oauth-errors';
import { fetchJson, RemoteUnavailable } from './fetch-json';

/** How often, at most, a set that never arrived is asked for (see refreshIfAllowed). */
export const FIRST_FETCH_RETRY_MS = 1_000;

/** A published key and the algorithms it may verify (RFC 8725 §3.1: pinned by the key, not the token). */
export interface RemoteKey {
  algorithms: readonly string[];
  publicKey: KeyObject;
}

export interface RemoteKeySetOptions {
  /** Where the JWK Set is (from the settings or the issuer's metadata, resolved on first use). */
  jwksUri: () => Promise<string>;
  /** The issuer's allowed algorithms. */
  algorithms: readonly string[];
  /** How long a fetched key set is used before it is fetched again. */
  cacheMs: number;
  /** At most one fetch per this interval, whatever the tokens' kids (a flood of random kids costs one fetch). */
  refetchIntervalMs: number;
  /** How long the last good key set keeps serving, past `cacheMs`, while the endpoint fails. */
  maxStaleMs: number;
  /** The longest one fetch may take, end to end. */
  timeoutMs: number;
  unknownKidCacheSize: number;
  now: () => number;
  /** Told of every failed fetch (the runtime logs it; the reason may name hosts). */
  onFetchError?: (error: Error) => void;
}

/** The algorithms a key of this type may verify, from the issuer's allowed ones. */
function algorithmsFor(key: KeyObject, jwkAlg: string | undefined, allowed: readonly string[]): string[] {
  if (jwkAlg !== undefined) return allowed.includes(jwkAlg) ? [jwkAlg] : [];
  const type = key.asymmetricKeyType;
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const fits = (alg: string) =>
    (type === 'rsa' && /^(RS|PS)/.test(alg)) ||
    (type === 'rsa-pss' && alg.startsWith('PS')) ||
    (type === 'ec' && ((alg === 'ES256' && curve === 'prime256v1') || (alg === 'ES384' && curve === 'secp384r1') || (alg === 'ES512' && curve === 'secp521r1'))) ||
    ((type === 'ed25519' || type === 'ed448') && alg === 'EdDSA');
  return allowed.filter(fits);
}

/**
 * One issuer's JWK Set, as the guard uses it. jwks-rsa reads the set (its `fetcher` is ours, so a
 * fetch is bounded end to end by `timeoutMs` and by size) and turns each JWK into a public key;
 * this class decides when to fetch, which jwks-rsa's per-kid cache and token bucket cannot say
 * on their own: one key set at a time, read again after `cacheMs` (so a retired key stops working
 * within `cacheMs`), at most one fetch per `refetchIntervalMs` for unknown kids (remembered in an
 * LRU of `unknownKidCacheSize`), and while the endpoint fails the last good set serves until
 * `cacheMs + maxStaleMs` after it was fetched; then every request is refused with 503 (fail closed).
 * All times are on the product's clock `now`.
 */
export class RemoteKeySet {
  private keys?: Map<string, RemoteKey>;
  /** When the current set was fetched (last success). */
  private fetchedAt = Number.NEGATIVE_INFINITY;
  /** When the last fetch started (success or not): the refetch interval counts from here. */
  private attemptedAt = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private readonly unknown: LRUCache<string, true>;
  private client?: JwksClient;
  /** Fetches started so far (tests and metrics count them). */
  fetches = 0;

  constructor(private readonly options: RemoteKeySetOptions) {
    this.unknown = new LRUCache({ max: options.unknownKidCacheSize, ttl: options.refetchIntervalMs, ttlResolution: 0, perf: { now: options.now } });
  }

  /** Whether a key set was fetched at least once (readiness). */
  get loaded(): boolean {
    return this.keys !== undefined;
  }

  /** A key of the fresh set, without waiting; undefined: unknown, or the set must be read again. */
  cachedKey(kid: string): RemoteKey | undefined {
    if (this.options.now() - this.fetchedAt >= this.options.cacheMs) return undefined;
    return this.keys?.get(kid);
  }

  /**
   * The published key for `kid`, fetching the set if it is due (or the kid is new and the interval
   * allows); undefined if the issuer does not publish it. Throws TemporarilyUnavailable when no
   * usable set is left (the endpoint has failed for longer than `maxStaleMs`, or never answered).
   */
  async verificationKey(kid: string): Promise<RemoteKey | undefined> {
    const now = this.options.now();
    if (now - this.fetchedAt >= this.options.cacheMs) {
      await this.refreshIfAllowed(now);
      this.assertUsable();
    }
    const known = this.keys!.get(kid);
    if (known || this.unknown.has(kid)) return known;
    await this.refreshIfAllowed(this.options.now());
    const found = this.keys?.get(kid);
    if (!found) this.unknown.set(kid, true);
    return found;
  }

  /**
   * Fetches the set (at start, and when readiness asks before one arrived), within the refetch
   * interval like any other fetch; never throws (readiness reports it).
   */
  start(): Promise<void> {
    return this.refreshIfAllowed(this.options.now());
  }

  private assertUsable(): void {
    const age = this.options.now() - this.fetchedAt;
    if (!this.keys || age >= this.options.cacheMs + this.options.maxStaleMs) {
      throw new TemporarilyUnavailable('the signing keys of the issuer of this access token cannot be fetched');
    }
  }

  /**
   * One fetch per interval; concurrent callers share the running one. Until a first set arrived
   * (the issuer was unreachable at start, or the gateway was too busy starting to read it in
   * time) the interval is at most FIRST_FETCH_RETRY_MS, so the issuer's tokens are not refused
   * for a whole interval after a miss at start.
   */
  private refreshIfAllowed(now: number): Promise<void> {
    if (this.inflight) return this.inflight;
    const interval = this.keys ? this.options.refetchIntervalMs : Math.min(this.options.refetchIntervalMs, FIRST_FETCH_RETRY_MS);
    if (now - this.attemptedAt < interval && now >= this.attemptedAt) return Promise.resolve();
    return this.refresh(now);
  }

  private refresh(now: number): Promise<void> {
    this.inflight ??= this.fetchSet(now).finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetchSet(now: number): Promise<void> {
    this.attemptedAt = now;
    this.fetches++;
    try {
      const uri = await this.options.jwksUri();
      this.client ??= new JwksClient({
        jwksUri: uri,
        cache: false,
        rateLimit: false,
        timeout: this.options.timeoutMs,
        fetcher: (url: string) => fetchJson(url, this.options.timeoutMs) as Promise<{ keys: never[] }>,
      });
      const signingKeys = await this.client.getSigningKeys();
      const keys = new Map<string, RemoteKey>();
      for (const key of signingKeys) {
        if (!key.kid) continue;
        const publicKey = createPublicKey(key.getPublicKey());
        const algorithms = algorithmsFor(publicKey, (key as { alg?: string }).alg, this.options.algorithms);
        if (algorithms.length) keys.set(key.kid, { algorithms, publicKey });
      }
      if (keys.size === 0) throw new RemoteUnavailable(`${uri} publishes no key usable with ${this.options.algorithms.join(', ')}`);
      this.keys = keys;
      this.fetchedAt = this.options.now();
      // A kid refused a moment ago may be in the new set.
      this.unknown.clear();
    } catch (err) {
      this.options.onFetchError?.(err instanceof Error ? err : new Error(String(err)));
    }
  }
}
