import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { compactDecrypt, CompactEncrypt } from 'jose';
import { readCookies, setCookie } from '../../http/cookies';
import type { Store } from '../../store/store';

const KIND = 'secret-reveals';
const COOKIE = 'portcullis_reveal';
const TTL_SECONDS = 300;

/**
 * Carries a new client secret from the POST that made it to the page that shows it once (the
 * POST answers 303, so a reload cannot create a second app). The store holds only a JWE of the
 * secret; its key lives in a short-lived HttpOnly cookie of the admin's browser. Neither alone
 * reveals anything, and the record is consumed on first display.
 */
export class SecretReveal {
  constructor(private readonly store: Store, private readonly secure: boolean, private readonly now: () => number = Date.now) {}

  async stash(res: ServerResponse, clientId: string, secret: string): Promise<void> {
    const key = randomBytes(32);
    const jwe = await new CompactEncrypt(new TextEncoder().encode(secret)).setProtectedHeader({ alg: 'dir', enc: 'A256GCM' }).encrypt(key);
    const id = randomBytes(16).toString('base64url');
    await this.store.create(KIND, id, { clientId, jwe }, { expiresAt: this.now() + TTL_SECONDS * 1000 });
    setCookie(res, COOKIE, `${id}.${key.toString('base64url')}`, { httpOnly: true, sameSite: 'strict', secure: this.secure, path: '/admin/', maxAge: TTL_SECONDS });
  }

  /** The secret to show now, once; undefined if none is waiting for this app in this browser. */
  async take(req: IncomingMessage, res: ServerResponse, clientId: string): Promise<string | undefined> {
    const cookie = readCookies(req)[COOKIE];
    if (!cookie) return undefined;
    setCookie(res, COOKIE, '', { httpOnly: true, sameSite: 'strict', secure: this.secure, path: '/admin/', maxAge: 0 });
    const [id, key] = cookie.split('.');
    if (!id || !key) return undefined;
    const record = await this.store.consume<{ clientId: string; jwe: string }>(KIND, id);
    if (!record || record.clientId !== clientId) return undefined;
    try {
      const { plaintext } = await compactDecrypt(record.jwe, Buffer.from(key, 'base64url'));
      return new TextDecoder().decode(plaintext);
    } catch {
      return undefined;
    }
  }
}
