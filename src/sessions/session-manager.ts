import { createHash, randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readCookies, setCookie } from '../http/cookies';
import type { Store } from '../store/store';

const KIND = 'sessions';

/** A sign-in at the issuer. */
export interface Session {
  /** The store key: a hash of the cookie value, so the database never holds a live cookie. */
  key: string;
  userId: string;
  /** When the user entered their password (epoch seconds), for `auth_time` and `max_age`. */
  authTime: number;
  expiresAt: number;
}

export interface SessionOptions {
  cookieName: string;
  ttlSeconds: number;
  /** Send the cookie with `Secure` (the issuer is served over https). */
  secure: boolean;
  now?: () => number;
}

const hashOf = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * Issuer sessions: an opaque random cookie (`HttpOnly`, `SameSite=Lax`, `Secure` behind https)
 * whose hash keys a store record, so every gateway node sees the same sign-in and sign-out.
 */
export class SessionManager {
  private readonly now: () => number;

  constructor(private readonly store: Store, private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Starts a new session (a fresh id on every sign-in, so a planted cookie is never promoted). */
  async start(res: ServerResponse, userId: string): Promise<Session> {
    const value = randomBytes(32).toString('base64url');
    const nowMs = this.now();
    const session: Session = {
      key: hashOf(value),
      userId,
      authTime: Math.floor(nowMs / 1000),
      expiresAt: nowMs + this.options.ttlSeconds * 1000,
    };
    await this.store.create(KIND, session.key, session, { expiresAt: session.expiresAt, indexes: { user: userId } });
    setCookie(res, this.options.cookieName, value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.options.secure,
      path: '/',
      maxAge: this.options.ttlSeconds,
    });
    return session;
  }

  /** The live session of this request, if any. */
  async read(req: IncomingMessage): Promise<Session | undefined> {
    const value = readCookies(req)[this.options.cookieName];
    if (!value || value.length > 100) return undefined;
    return (await this.store.get<Session>(KIND, hashOf(value)))?.value;
  }

  /** Ends the request's session and clears the cookie. */
  async end(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const session = await this.read(req);
    if (session) await this.store.delete(KIND, session.key);
    setCookie(res, this.options.cookieName, '', { httpOnly: true, sameSite: 'lax', secure: this.options.secure, path: '/', maxAge: 0 });
  }

  /** Ends every session of a user (disabled user, password change). */
  async endAllOf(userId: string): Promise<void> {
    for (const record of await this.store.findBy<Session>(KIND, 'user', userId)) await this.store.delete(KIND, record.id);
  }
}
