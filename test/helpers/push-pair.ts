import express from 'express';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import request from 'supertest';
import { createLogger } from '../../src/logging/logger';
import { Portcullis } from '../../src/runtime/portcullis';
import type { ChangeFeed, InvalidationMode } from '../../src/store/change-feed';
import { TEST_APPLICATIONS, testSettings } from './test-portcullis';

/** One runtime of a pair: the guard for `echo` in plain Express, on a clock that moves only when told. */
export interface PushInstance {
  portcullis: Portcullis;
  app: express.Express;
  now: { ms: number };
  /** The status of `GET /echo/hello` with this bearer token, over HTTP. */
  status(token: string): Promise<number>;
}

/** Two runtimes on one Redis (one key prefix), as two gateway instances would be. */
export interface PushPair {
  a: PushInstance;
  b: PushInstance;
  prefix: string;
  close(): Promise<void>;
}

async function instance(settings: ReturnType<typeof testSettings>, start: number): Promise<PushInstance> {
  const now = { ms: start };
  const portcullis = await Portcullis.open(settings, { now: () => now.ms, logger: createLogger('error', () => undefined) });
  const app = express();
  app.use('/echo', portcullis.guard({ application: 'echo' }).middleware());
  app.get('/echo/hello', (_req, res) => res.json({ ok: true }));
  const status = async (token: string) => (await request(app).get('/echo/hello').set('Authorization', `Bearer ${token}`)).status;
  return { portcullis, app, now, status };
}

/**
 * Opens two runtimes on `redisUrl` under a fresh key prefix, each with its own frozen clock: a
 * cached answer can then only be dropped by a push (or by the test moving a clock past cacheMs).
 */
export async function openPushPair(redisUrl: string, overrides: Record<string, unknown> = {}): Promise<PushPair> {
  const prefix = `push-test:${randomUUID()}:`;
  const settings = testSettings({ store: { type: 'redis', redisUrl, redisKeyPrefix: prefix }, ...overrides });
  const start = Date.now();
  const a = await instance(settings, start);
  const b = await instance(settings, start);
  return {
    a,
    b,
    prefix,
    close: async () => {
      await Promise.all([a.portcullis.close(), b.portcullis.close()]);
      await dropPrefix(redisUrl, prefix);
    },
  };
}

/** Resolves once `feed` is in `mode` (at once if it is); the suite's timeout bounds the wait. */
export function untilMode(feed: ChangeFeed, mode: InvalidationMode): Promise<void> {
  if (feed.mode === mode) return Promise.resolve();
  return new Promise((resolve) => {
    const off = feed.onModeChange((m) => {
      if (m !== mode) return;
      off();
      resolve();
    });
  });
}

/** A service client of `echo` (reader) made on `on`, and a token for it. */
export async function clientWithToken(on: PushInstance): Promise<{ clientId: string; token: string }> {
  const { client } = await on.portcullis.clients.create({ name: 'push test', application: 'echo', roles: ['echo-reader'] });
  const { token } = await on.portcullis.tokens.issue({ clientId: client.clientId, subject: client.clientId, audience: TEST_APPLICATIONS.echo.audience, roles: ['echo-reader'] });
  return { clientId: client.clientId, token };
}

/** A user of `echo` made on `on`, and a token a client holds for them. */
export async function userWithToken(on: PushInstance): Promise<{ userId: string; token: string }> {
  const { clientId } = await clientWithToken(on);
  const user = await on.portcullis.users.create({ username: `user-${randomUUID()}`, password: 'correct horse battery staple', roles: { echo: ['echo-reader'] } });
  const { token } = await on.portcullis.tokens.issue({ clientId, subject: user.userId, audience: TEST_APPLICATIONS.echo.audience, roles: ['echo-reader'] });
  return { userId: user.userId, token };
}

/** Deletes every key under `prefix`, so runs on a shared Redis leave nothing behind. */
export async function dropPrefix(redisUrl: string, prefix: string): Promise<void> {
  const redis = createClient({ url: redisUrl });
  await redis.connect();
  try {
    for await (const keys of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 500 })) if (keys.length) await redis.del(keys);
  } finally {
    await redis.close();
  }
}
