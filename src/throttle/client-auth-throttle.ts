import { LRUCache } from 'lru-cache';
import { SlowDown } from '../errors/oauth-errors';
import { addressBucket } from '../http/peer-address';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';
import { FailureThrottle, type LockReadCache, type ThrottleKey } from './failure-throttle';

/** The `clientAuthentication` settings. */
export interface ClientAuthenticationSettings {
  maxFailures: number;
  windowSeconds: number;
  maxLockoutSeconds: number;
}

/** One client authentication in progress: say how it ended. */
export interface ClientAuthAttempt {
  /** The secret was right: the attempt is refunded, the address becomes known for the client. */
  succeeded(clientId: string): Promise<void>;
  /** The credentials were wrong (the attempt stays counted). */
  failed(): Promise<void> | void;
}

/** How client authentications ended, for the metrics. */
export type ClientAuthOutcome = 'success' | 'failure' | 'throttled';

/** One address (a NAT, a proxy) may serve several clients: it gets more room than one client id. */
const ADDRESS_FACTOR = 4;
/** How long an address that authenticated a client stays "known" for it (refreshed on use). */
const KNOWN_MS = 30 * 24 * 3600 * 1000;
const REFRESH_KNOWN_MS = 24 * 3600 * 1000;
const KNOWN_KIND = 'client-auth-known';
/** The failure counters' kind: watched by the change feed, so a lock read may be kept (change-feed.ts). */
const FAILURES_KIND = 'client-auth-failures';
/**
 * How often a known address's successes reset the client id's failure counter, per client and
 * instance. Skipping a reset can only leave more failures counted, never fewer: the lock comes
 * sooner, never later, and known addresses are not subject to it anyway.
 */
const RESET_EVERY_MS = 1000;

/**
 * RFC 6749 §2.3.1: the token, revocation and introspection endpoints must be protected against
 * brute force of client secrets. Attempts are counted per claimed client id and per peer address
 * ({@link FailureThrottle}, shared by every instance through the store).
 *
 * - An address with too many failures is refused for every client: this is what stops one attacker.
 * - A client id with too many failures is refused from every address except those that have
 *   authenticated it successfully within the last 30 days (their attempts are not counted under
 *   the client id either). So guessing from many addresses is stopped, but failures sent by
 *   someone else cannot lock a known client's servers out: client ids are not secret, and that
 *   would be a denial of service for free.
 * - A success resets the client id's counter (unless it is locked) and refunds the attempt on
 *   the address: it never clears the address's failures, so an attacker cannot clear their own
 *   count by authenticating a client of their own. From a known address, whose successes cost
 *   reads only, the reset happens at most once a second per client and instance.
 */
export class ClientAuthThrottle {
  private readonly failures: FailureThrottle;
  /**
   * The known (client, address) pairs this instance has read or written, with their `at`: a known
   * record is only ever written by this class and leaves the store only by expiring, so while
   * `at + KNOWN_MS` has not passed it is still there, and the common case (a known address with
   * the right secret) reads it once per instance, not once per request.
   */
  private readonly knownHere = new LRUCache<string, number>({ max: 10_000 });
  /** When a known address's success last reset each client id's counter here (see RESET_EVERY_MS). */
  private readonly resetAt = new LRUCache<string, number>({ max: 10_000 });

  constructor(
    private readonly store: Store,
    private readonly settings: ClientAuthenticationSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly count: (outcome: ClientAuthOutcome) => void = () => undefined,
    /** Where the address lock of a known address is read from on every token request (failure-throttle.ts). */
    lockReads?: LockReadCache,
  ) {
    this.failures = new FailureThrottle(store, FAILURES_KIND, settings, now, lockReads);
  }

  /**
   * Begins an authentication of `clientId` (as claimed; undefined for malformed credentials) from
   * `address`. Throws `slow_down` (429 with Retry-After) if the client id or the address is locked.
   *
   * `withSecret` is false for a public client's request (client_id only, RFC 6749 §2.1): there is
   * no secret to guess, so it is neither counted under nor refused by the client id's lock, and
   * wrong secrets sent for a public client's id cannot lock its users out.
   */
  async begin(clientId: string | undefined, address: string, withSecret = true): Promise<ClientAuthAttempt> {
    const byId = clientId !== undefined && withSecret;
    const knownSince = byId ? await this.knownSince(clientId, address) : undefined;
    if (knownSince !== undefined) return this.beginKnown(clientId!, address, knownSince);
    const keys: ThrottleKey[] = [{ id: addressKey(address), limit: this.settings.maxFailures * ADDRESS_FACTOR }];
    if (byId) keys.push({ id: clientKey(clientId), limit: this.settings.maxFailures });
    this.refuseFor(await this.failures.begin(keys), clientId, address);
    return {
      succeeded: async (authenticated: string) => {
        this.count('success');
        await this.failures.succeeded([addressKey(address)]);
        if (!byId) return;
        await this.failures.resetUnlessLocked(clientKey(authenticated));
        await this.markKnown(authenticated, address);
      },
      failed: () => this.failed(clientId, address),
    };
  }

  /**
   * An address that authenticated this client before: the client id's lock does not apply, and
   * the common case (the right secret) costs reads only, no write. Only the address lock applies;
   * a failure is counted on the address afterwards.
   */
  private async beginKnown(clientId: string, address: string, knownSince: number): Promise<ClientAuthAttempt> {
    this.refuseFor(await this.failures.lockedFor(addressKey(address)), clientId, address);
    return {
      succeeded: async () => {
        this.count('success');
        const now = this.now();
        const last = this.resetAt.get(clientId);
        if (last === undefined || last > now || now - last >= RESET_EVERY_MS) {
          await this.failures.resetUnlessLocked(clientKey(clientId));
          this.resetAt.set(clientId, now);
        }
        // Keeps a known address known while it is used, writing at most once a day.
        if (this.now() - knownSince > REFRESH_KNOWN_MS) await this.markKnown(clientId, address);
      },
      failed: () => {
        this.failed(clientId, address);
        return this.failures.recordFailure([{ id: addressKey(address), limit: this.settings.maxFailures * ADDRESS_FACTOR }]);
      },
    };
  }

  /** When `address` became known for `clientId` (the `at` of its record), or undefined when it is not known. */
  private async knownSince(clientId: string, address: string): Promise<number | undefined> {
    const key = knownKey(clientId, address);
    const now = this.now();
    const remembered = this.knownHere.get(key);
    // A clock stepped back past `at` is not trusted: the store is asked again.
    if (remembered !== undefined && remembered <= now && now < remembered + KNOWN_MS) return remembered;
    const at = (await this.store.get<{ at: number }>(KNOWN_KIND, key))?.value.at;
    if (at === undefined) this.knownHere.delete(key);
    else this.knownHere.set(key, at);
    return at;
  }

  private async markKnown(clientId: string, address: string): Promise<void> {
    const at = this.now();
    await this.store.put(KNOWN_KIND, knownKey(clientId, address), { at }, { expiresAt: at + KNOWN_MS });
    this.knownHere.set(knownKey(clientId, address), at);
  }

  private refuseFor(wait: number, clientId: string | undefined, address: string): void {
    if (wait === 0) return;
    this.count('throttled');
    this.logger.info('client authentication throttled', { client_id: clientId?.slice(0, 64), address, retry_after: wait });
    throw new SlowDown('too many failed client authentications; retry after the time in Retry-After', wait);
  }

  private failed(clientId: string | undefined, address: string): void {
    this.count('failure');
    this.logger.info('client authentication failed', { client_id: clientId?.slice(0, 64), address });
  }
}

const clientKey = (clientId: string) => `client:${clientId}`;
const addressKey = (address: string) => `addr:${addressBucket(address)}`;
const knownKey = (clientId: string, address: string) => `${clientId}@${addressBucket(address)}`;
