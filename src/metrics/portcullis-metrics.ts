import fs from 'node:fs';
import path from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { PACKAGE_DIR } from '../config/environment';
import { TalliedCounter } from './tallied-counter';
import { TalliedHistogram } from './tallied-histogram';

/** Latency buckets (seconds) of the guard: its cached path takes microseconds, a store read milliseconds. */
const FAST_BUCKETS = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];
/** Latency buckets (seconds) of the token endpoint and the store: a signature takes about a millisecond. */
const REQUEST_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Where a rate limit answered 429 (fed by the rate-limit part of issue 10). */
export type RateLimitedEndpoint = 'token' | 'revocation' | 'introspection';
/** What a rate limit counted by. */
export type RateLimitedBy = 'client' | 'address';

/**
 * Every metric Portcullis exports, on a registry of its own (never prom-client's global one, which
 * an embedding application may use for its own metrics). Names are `portcullis_*`, and every label
 * value comes from a small fixed set (grant types, error codes, reason codes, application names of
 * the settings): no client id, path or user name, so the series count is bounded whatever the
 * traffic. docs/ops-guide.md ("Metrics") lists each one; test/e2e/metrics.test.ts checks both ways.
 */
export class PortcullisMetrics {
  readonly registry = new Registry();

  /** Counted on every token request: tallies (see tallied-counter.ts). */
  readonly tokenRequests = new TalliedCounter({
    name: 'portcullis_token_requests_total',
    help: 'Token endpoint requests by grant type and result (issued, or the OAuth error code).',
    labelNames: ['grant', 'result'] as const,
    registers: [this.registry],
  });

  /** Tallied: observed on every token request (see tallied-histogram.ts). */
  readonly tokenDuration = new TalliedHistogram({
    name: 'portcullis_token_request_duration_seconds',
    help: 'Time the token endpoint took to answer, by grant type.',
    labelNames: ['grant'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  /** Counted on the guard's hot path: tallies (see tallied-counter.ts). */
  readonly guardDecisions = new TalliedCounter({
    name: 'portcullis_guard_decisions_total',
    help: 'Guard decisions by application, result (allowed, refused) and reason code (none when allowed).',
    labelNames: ['application', 'result', 'reason'] as const,
    registers: [this.registry],
  });

  /** Tallied: observed on every guarded request (see tallied-histogram.ts). */
  readonly guardDuration = new TalliedHistogram({
    name: 'portcullis_guard_duration_seconds',
    help: 'Time the guard took to decide, by application and result.',
    labelNames: ['application', 'result'] as const,
    buckets: FAST_BUCKETS,
    registers: [this.registry],
  });

  readonly tokenCacheHits = new TalliedCounter({
    name: 'portcullis_token_cache_hits_total',
    help: 'Access tokens whose verification was answered from the verified-token cache.',
    registers: [this.registry],
  });

  readonly tokenCacheMisses = new TalliedCounter({
    name: 'portcullis_token_cache_misses_total',
    help: 'Access tokens that were fully verified (parsed, signature checked), not found in the cache.',
    registers: [this.registry],
  });

  /** Tallied: observed on every store operation, several per token request (see tallied-histogram.ts). */
  readonly storeDuration = new TalliedHistogram({
    name: 'portcullis_store_operation_duration_seconds',
    help: 'Time of each store operation (SQLite or Redis), by operation.',
    labelNames: ['operation'] as const,
    buckets: REQUEST_BUCKETS,
    registers: [this.registry],
  });

  readonly storeErrors = new Counter({
    name: 'portcullis_store_errors_total',
    help: 'Store operations that failed (backend down, closed or timed out), by operation.',
    labelNames: ['operation'] as const,
    registers: [this.registry],
  });

  readonly signIns = new Counter({
    name: 'portcullis_sign_ins_total',
    help: 'Sign-in attempts at the login page by result (success, failure, throttled).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly clientAuthentications = new Counter({
    name: 'portcullis_client_authentications_total',
    help: 'Client authentications at the token, revocation and introspection endpoints by result (success, failure, throttled).',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });

  readonly rateLimited = new Counter({
    name: 'portcullis_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit, by endpoint and by what was counted (client, address).',
    labelNames: ['endpoint', 'by'] as const,
    registers: [this.registry],
  });

  readonly invalidationPushUp = new Gauge({
    name: 'portcullis_invalidation_push_up',
    help: '1 while the push channel for revocations and status changes is up; 0 while the guard falls back to polling the store.',
    registers: [this.registry],
  });

  /** The active signing key's age in seconds, as the newest runtime sees it (on its clock). */
  private signingKeySource?: () => number | undefined;

  readonly signingKeyAge = new Gauge({
    name: 'portcullis_signing_key_age_seconds',
    help: 'Seconds since the active signing key was made (alert when rotation is overdue).',
    registers: [this.registry],
    collect: () => {
      const age = this.signingKeySource?.();
      // No runtime (or no key yet): no sample at all, rather than an age of 0 that looks fresh.
      if (age === undefined) this.signingKeyAge.remove();
      else this.signingKeyAge.set(Math.max(0, age));
    },
  });

  readonly buildInfo = new Gauge({
    name: 'portcullis_build_info',
    help: 'Always 1; the version label says which Portcullis release this process runs.',
    labelNames: ['version'] as const,
    registers: [this.registry],
  });

  constructor() {
    this.buildInfo.labels(packageVersion()).set(1);
    // Node process metrics (CPU, memory, event loop lag, GC, handles) with prom-client's standard names.
    collectDefaultMetrics({ register: this.registry });
    this.invalidationPushUp.set(0);
  }

  /**
   * The source of the signing key age: the runtime that serves now (on reload, the newest).
   * Returns a function that removes it again, if it is still the current one.
   */
  watchSigningKey(ageSeconds: () => number | undefined): () => void {
    this.signingKeySource = ageSeconds;
    return () => {
      if (this.signingKeySource === ageSeconds) this.signingKeySource = undefined;
    };
  }

  /** A request refused with 429 by a rate limit (the rate-limit part calls this). */
  countRateLimited(endpoint: RateLimitedEndpoint, by: RateLimitedBy): void {
    this.rateLimited.labels(endpoint, by).inc();
  }

  /** Whether the push channel for invalidations is up (false: the guard polls the store). */
  setInvalidationPushUp(up: boolean): void {
    this.invalidationPushUp.set(up ? 1 : 0);
  }

  /** The exposition in the Prometheus text format, and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** The version of the installed package (`unknown` if its package.json cannot be read). */
function packageVersion(): string {
  try {
    const { version } = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8')) as { version?: unknown };
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}

let processWide: PortcullisMetrics | undefined;

/**
 * The process's one set of metrics. Created on first use and then reused: Express Gateway re-runs
 * the plugin's `init()` on a reload, which may open a new runtime, and a metric registered twice
 * would throw; a reload must also not reset the counters Prometheus has been scraping.
 */
export function processMetrics(): PortcullisMetrics {
  processWide ??= new PortcullisMetrics();
  return processWide;
}
