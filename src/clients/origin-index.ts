import type { ClientRegistry } from './client-registry';

/**
 * How long the union of allowed origins is reused (preflights are frequent, edits rare). By
 * design an origin removed (or its client disabled) may still pass a preflight for this long; it
 * grants nothing: the actual request is checked against its own client's current origins.
 */
const TTL_MS = 1000;

/**
 * Answers CORS preflights: is this origin registered by any client? A preflight carries no client
 * id, so the precise per-client check happens on the actual request.
 */
export class OriginIndex {
  private origins = new Set<string>();
  private loadedAt = -Infinity;

  constructor(private readonly clients: ClientRegistry, private readonly now: () => number = Date.now) {}

  async allows(origin: string): Promise<boolean> {
    if (this.now() - this.loadedAt > TTL_MS) {
      const list = await this.clients.list();
      this.origins = new Set(list.filter((c) => c.status === 'active').flatMap((c) => c.allowedOrigins));
      this.loadedAt = this.now();
    }
    return this.origins.has(origin);
  }
}
