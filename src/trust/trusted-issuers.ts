import type { TrustedIssuerSettings } from '../config/trusted-issuer-settings';
import type { Logger } from '../logging/logger';
import { TrustedIssuer } from './trusted-issuer';
import { VerifiedTokenCache } from '../tokens/verified-token-cache';

/**
 * Every issuer of `trustedIssuers`, by issuer URL: the runtime builds it once, starts it (keys
 * fetched at start, without holding start-up up: readiness says when they are in), and each
 * guard takes the ones its application names.
 */
export class TrustedIssuers {
  private readonly byIssuer = new Map<string, TrustedIssuer>();

  /** `cache`: where verified tokens and introspection answers are remembered (the runtime's one budget). */
  constructor(settings: readonly TrustedIssuerSettings[], now: () => number, logger?: Logger, cache = new VerifiedTokenCache(undefined, now)) {
    for (const trusted of settings) {
      const onError = (error: Error) => logger?.warn('trusted issuer unavailable', { issuer: trusted.issuer, cause: error.message });
      this.byIssuer.set(trusted.issuer, new TrustedIssuer(trusted, now, onError, cache));
    }
  }

  get(issuer: string): TrustedIssuer | undefined {
    return this.byIssuer.get(issuer);
  }

  get size(): number {
    return this.byIssuer.size;
  }

  /** Fetches every issuer's metadata and keys; resolves when all tried (failures are logged). */
  start(): Promise<void> {
    return Promise.all([...this.byIssuer.values()].map((t) => t.start())).then(() => undefined);
  }

  /**
   * For `/readyz`: resolves once every issuer's keys were fetched; an issuer still missing is
   * tried again (at most once per its refetch interval), then named in the error.
   */
  async fetched(): Promise<void> {
    const missing = [...this.byIssuer.values()].filter((t) => !t.ready);
    await Promise.all(missing.map((t) => t.start()));
    const still = missing.filter((t) => !t.ready).map((t) => t.issuer);
    if (still.length) throw new Error(`keys not fetched yet: ${still.join(', ')}`);
  }
}
