import type { RedisClientType } from 'redis';
import type { RedisConnectionSettings } from '../config/settings';
import type { Logger } from '../logging/logger';
import { createRedisConnection } from './redis-connection';
import { FeedListeners, type ChangeFeed, type InvalidationMode } from './change-feed';
import { withDeadline } from './with-deadline';

/** Options for {@link RedisChangeFeed}. */
export interface RedisChangeFeedOptions {
  /** The store's Redis (`redis://...`); the feed opens two connections of its own to it. */
  url: string;
  /** The store's connection settings (TLS, ACL user): the feed's connections use the same. Standalone only. */
  redis?: RedisConnectionSettings;
  /** The store's key prefix: the channel is `<prefix>invalidate`, so deployments sharing a Redis stay apart. */
  keyPrefix?: string;
  logger?: Logger;
  /** How often the subscriber connection is checked with a PING (and how long a reply may take); default 400 ms. */
  heartbeatMs?: number;
  /** How long {@link RedisChangeFeed.open} waits for the first subscription before it starts in polling mode; default 5000 ms. */
  connectTimeoutMs?: number;
}

/** One connection of the feed; never queues while disconnected: a PUBLISH or a heartbeat fails at once. */
function connection(options: RedisChangeFeedOptions, role: 'subscriber' | 'publisher'): RedisClientType {
  // Named, so `CLIENT LIST` shows which connection is which; TLS, ACL user, timeouts and the
  // reconnect policy are the store's own (redis-connection.ts).
  const policy = { connectTimeoutMs: options.connectTimeoutMs ?? 5000, name: `portcullis-invalidation-${role}` };
  return createRedisConnection(options.url, options.redis, policy) as unknown as RedisClientType;
}

type Client = ReturnType<typeof connection>;

/**
 * Pushes every change of a record the guard caches to every instance, over Redis pub/sub.
 *
 * Why pub/sub rather than RESP3 client-side caching (CLIENT TRACKING): the guard's answers are not
 * Redis replies (a client status is derived from the client record, a revocation from a record's
 * absence), tracking would need RESP3 and changes to the store's own connection (shared with the
 * Cluster and Sentinel code), and in Redis Cluster tracking invalidations come per node while a
 * PUBLISH reaches every node. Pub/sub needs one extra connection per instance and one PUBLISH per
 * change, whatever the traffic.
 *
 * Messages are delivered in order over one TCP connection, so none is lost while it stays up.
 * The feed says `push` only while it is subscribed and its heartbeat PINGs are answered; it says
 * `polling` (and the caches fall back to `cacheMs`) from the moment the connection is lost, does
 * not answer a PING within `heartbeatMs`, or is not yet subscribed. Every change of mode bumps the
 * epoch, so whatever was cached before is dropped: after a (re)subscription nothing that a missed
 * message should have removed survives. A change written without a message (a process that
 * crashed between the write and the PUBLISH, an older version, a hand edit) is bounded by
 * `invalidation.safetyTtlMs`.
 */
export class RedisChangeFeed implements ChangeFeed {
  private readonly listeners = new FeedListeners();
  private readonly subscriber: Client;
  private readonly publisher: Client;
  private readonly channel: string;
  private readonly heartbeatMs: number;
  private current: InvalidationMode = 'polling';
  private generation = 0;
  private subscribed = false;
  private closed = false;
  private heartbeat?: NodeJS.Timeout;

  private constructor(private readonly options: RedisChangeFeedOptions) {
    this.channel = `${options.keyPrefix ?? 'portcullis:'}invalidate`;
    this.heartbeatMs = options.heartbeatMs ?? 400;
    this.subscriber = connection(options, 'subscriber');
    this.publisher = connection(options, 'publisher');
    // Without a listener an 'error' event would crash the process. Errors repeat on every
    // reconnection attempt, so only the change of mode is logged (once per outage).
    this.publisher.on('error', () => undefined);
    this.subscriber.on('error', () => this.setMode('polling'));
    this.subscriber.on('end', () => this.setMode('polling'));
    this.subscriber.on('reconnecting', () => this.setMode('polling'));
    // node-redis re-subscribes before it emits 'ready' on a new connection.
    this.subscriber.on('ready', () => this.subscribed && this.setMode('push'));
  }

  /** Connects both connections; starts in polling mode if the subscription is not in place in time. */
  static async open(options: RedisChangeFeedOptions): Promise<RedisChangeFeed> {
    const feed = new RedisChangeFeed(options);
    await feed.start();
    return feed;
  }

  get mode(): InvalidationMode {
    return this.current;
  }

  epoch(): number {
    return this.generation;
  }

  onChange(listener: (kind: string, id: string) => void): () => void {
    return this.listeners.onChange(listener);
  }

  onModeChange(listener: (mode: InvalidationMode) => void): () => void {
    return this.listeners.onModeChange(listener);
  }

  async publish(kind: string, id: string): Promise<void> {
    this.listeners.changed(kind, id);
    await withDeadline(this.publisher.publish(this.channel, JSON.stringify([kind, id])), 5000, 'Redis PUBLISH');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.heartbeat);
    this.setMode('polling');
    await Promise.all([this.subscriber, this.publisher].map((c) => (c.isReady ? c.close().catch(() => c.destroy()) : c.isOpen ? c.destroy() : undefined)));
  }

  private async start(): Promise<void> {
    const deadline = this.options.connectTimeoutMs ?? 5000;
    await withDeadline(this.publisher.connect(), deadline, 'Redis connect (invalidation publisher)').catch((error: unknown) => {
      this.options.logger?.warn('invalidation publisher not connected yet', { cause: String(error) });
    });
    const subscribing = this.subscribe();
    // The store is open, so the guard works: it polls until the channel is up, then keeps answers.
    await withDeadline(subscribing, deadline, 'Redis SUBSCRIBE').catch((error: unknown) => {
      this.options.logger?.warn('invalidation channel not subscribed yet: the guard polls the store every cacheMs', { cause: String(error) });
    });
    this.heartbeat = setInterval(() => void this.beat(), this.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Connects and subscribes once, retrying until done or closed; node-redis re-subscribes after that. */
  private async subscribe(): Promise<void> {
    while (!this.closed) {
      try {
        if (!this.subscriber.isOpen) await this.subscriber.connect();
        await this.subscriber.subscribe(this.channel, (message) => this.received(message));
        this.subscribed = true;
        this.setMode('push');
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 500).unref());
      }
    }
  }

  /** A PING answered in time proves the messages before it have arrived; a silent one means they may not. */
  private async beat(): Promise<void> {
    if (this.closed || !this.subscriber.isReady) return;
    try {
      await withDeadline(this.subscriber.ping(), this.heartbeatMs, 'invalidation heartbeat');
      this.setMode('push');
    } catch {
      this.setMode('polling');
    }
  }

  private received(message: string): void {
    let kind: unknown, id: unknown;
    try {
      [kind, id] = JSON.parse(message) as unknown[];
    } catch {
      return;
    }
    if (typeof kind === 'string' && typeof id === 'string') this.listeners.changed(kind, id);
  }

  private setMode(mode: InvalidationMode): void {
    if (mode === 'push' && (this.closed || !this.subscribed || !this.subscriber.isReady)) return;
    if (mode === this.current) return;
    this.current = mode;
    this.generation++;
    if (mode === 'push') this.options.logger?.info('invalidation channel up: guard caches kept until told');
    else if (!this.closed) this.options.logger?.warn('invalidation channel down: the guard polls the store every cacheMs');
    this.listeners.modeChanged(mode);
  }
}
