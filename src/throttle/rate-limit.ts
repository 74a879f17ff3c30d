import { createHash } from 'node:crypto';
import { SlowDown } from '../errors/oauth-errors';
import { addressBucket } from '../http/peer-address';
import type { Logger } from '../logging/logger';
import type { Store } from '../store/store';
import type { EndpointRateLimits, RateLimitedEndpoint, RateLimitRule, RateLimitSettings } from '../config/settings-types';

export type { EndpointRateLimits, RateLimitedEndpoint, RateLimitRule, RateLimitSettings };

/** What a request was counted under when it was refused: its claimed client id or its address. */
export type RateLimitedBy = 'client' | 'address';

/** Told of every refused request, with the limit that refused it (the metrics connect here). */
export type RateLimitListener = (endpoint: RateLimitedEndpoint, by: RateLimitedBy) => void;

const KIND = 'rate-limit';

interface Counted {
  by: RateLimitedBy;
  /** Seconds until the window ends if this request is over the limit, else 0. */
  wait: number;
}

/**
 * Request rate limits of the token, revocation and introspection endpoints, per claimed client id
 * and per client address (an IPv4 address or an IPv6 /64, as the client-authentication throttle
 * counts them): a budget that keeps one client or one address from exhausting the issuer. It
 * counts every request, right or wrong, where the client-authentication throttle (RFC 6749
 * §2.3.1) counts failures only. Over a limit: 429 with `Retry-After` (RFC 6585 §4), `slow_down`.
 *
 * Fixed windows counted in the store with one atomic `increment` per limit (one round trip each in
 * Redis, run in parallel), so every instance on one Redis shares the counts. The window number
 * comes from the injected clock and is part of the counter's id, so the window is decided by the
 * product's clock, never by the store's TTL (which only removes old counters). A refused request
 * is counted too, so a client that keeps hammering stays refused until the window ends.
 *
 * The limits run before client authentication: past a limit no secret is checked. If the store
 * is down, `increment` throws and the endpoint answers 503: a limit is never skipped.
 */
export class RateLimiter {
  /** Connect the metrics here (`portcullis_rate_limited_total{endpoint,by}`); called once per refused request. */
  onLimited: RateLimitListener = () => undefined;

  constructor(
    private readonly store: Store,
    private readonly settings: RateLimitSettings,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts one request to `endpoint`: under `address` when given (called before client
   * authentication, so a flood from one address costs no secret check), and under `clientId` when
   * given (called once the client has authenticated, so nobody can spend a client's budget by
   * merely naming it: guessing with its id is the client-authentication throttle's business).
   * Throws `slow_down` (429, `Retry-After` until the window of the limit that refused it ends)
   * when the request is over a limit.
   */
  async check(endpoint: RateLimitedEndpoint, clientId: string | undefined, address?: string): Promise<void> {
    const limits = this.settings === false ? false : this.settings[endpoint];
    if (limits === false) return;
    const counting: Promise<Counted>[] = [];
    if (address !== undefined && active(limits.perAddress)) counting.push(this.count(endpoint, 'address', addressBucket(address), limits.perAddress));
    if (clientId !== undefined && active(limits.perClient)) counting.push(this.count(endpoint, 'client', clientId, limits.perClient));
    const over = (await Promise.all(counting)).filter((c) => c.wait > 0);
    if (over.length === 0) return;
    const binding = over.reduce((a, b) => (b.wait > a.wait ? b : a));
    this.onLimited(endpoint, binding.by);
    throw new SlowDown(`too many requests to the ${endpoint} endpoint; retry after the time in Retry-After`, binding.wait);
  }

  private async count(endpoint: RateLimitedEndpoint, by: RateLimitedBy, subject: string, rule: { limit: number; windowSeconds: number }): Promise<Counted> {
    const now = this.now();
    const windowMs = rule.windowSeconds * 1000;
    const window = Math.floor(now / windowMs);
    const endsAt = (window + 1) * windowMs;
    // The window length is in the id too: a changed setting starts fresh counters, never mixes them.
    const id = `${endpoint}:${by}:${rule.windowSeconds}:${window}:${counterSubject(subject)}`;
    // The TTL only cleans up; a second of slack covers a store clock a little behind ours.
    const count = await this.store.increment(KIND, id, endsAt - now + 1000);
    if (count <= rule.limit) return { by, wait: 0 };
    // Logged once per limit and window, not per refused request: a flood must not flood the log.
    if (count === rule.limit + 1) {
      this.logger.info('rate limit reached', { endpoint, by, [by === 'client' ? 'client_id' : 'address']: subject.slice(0, 64), limit: rule.limit, window_seconds: rule.windowSeconds });
    }
    return { by, wait: Math.max(1, Math.ceil((endsAt - now) / 1000)) };
  }
}

const active = (rule: RateLimitRule): rule is { limit: number; windowSeconds: number } => rule !== false && rule.limit > 0;

/** Client ids come from requests: long ones are counted under a hash, so no request makes a huge key. */
const counterSubject = (subject: string) => (subject.length <= 128 ? subject : `sha256:${createHash('sha256').update(subject).digest('base64url')}`);
