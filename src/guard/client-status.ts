import { LRUCache } from 'lru-cache';
import type { Client } from '../clients/client';

/** What the guard needs to know about a client, looked up by id. */
export interface ClientLookup {
  find(clientId: string): Promise<Client | undefined>;
}

type Status = Pick<Client, 'status' | 'application' | 'tokensValidAfter'> | null;

/**
 * The client records the guard reads on every request, remembered for at most `ttlMs` (< 1 s), so
 * that disabling a client takes effect on every node within a second without a store read per
 * request. A store failure propagates: the guard fails closed.
 */
export class ClientStatusCache {
  private readonly cache: LRUCache<string, { value: Status }>;

  constructor(private readonly clients: ClientLookup, ttlMs: number) {
    this.cache = new LRUCache({ max: 10_000, ttl: Math.max(ttlMs, 1), ttlAutopurge: false });
  }

  async get(clientId: string): Promise<Status> {
    const hit = this.cache.get(clientId);
    if (hit) return hit.value;
    const client = await this.clients.find(clientId);
    const value = client ? { status: client.status, application: client.application, tokensValidAfter: client.tokensValidAfter } : null;
    this.cache.set(clientId, { value });
    return value;
  }
}
