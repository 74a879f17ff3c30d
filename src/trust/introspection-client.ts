import type { TrustedIssuerSettings } from '../config/trusted-issuer-settings';
import { InvalidToken, TemporarilyUnavailable } from '../errors/oauth-errors';
import { audienceOf, mapClaims, subjectOf } from './claim-mapping';
import { fetchJson } from './fetch-json';
import type { ForeignToken } from './foreign-token';
import { tokenDigest } from '../tokens/token-digest';
import { isB64Token } from '../tokens/b64token';
import { answerBytes, VerifiedTokenCache, type CachedAnswer } from '../tokens/verified-token-cache';

/** An active answer as remembered, until `until` (ms, product clock): `cacheSeconds`, never past `exp`. */
interface Remembered extends CachedAnswer {
  token: ForeignToken;
  until: number;
}

type Introspection = NonNullable<TrustedIssuerSettings['introspection']>;

/** Token types of RFC 7662 §2.2 answers that are bearer access tokens (oidc-provider says `Bearer`). */
const ACCESS_TOKEN_TYPES = new Set(['bearer', 'access_token']);

/** RFC 6749 §2.3.1: client id and secret are form-urlencoded before they go into Basic. */
const formEncode = (value: string) => new URLSearchParams({ v: value }).toString().slice(2);

/**
 * Opaque tokens of one issuer, through its RFC 7662 introspection endpoint with the guard's own
 * client credentials. Only `active: true` answers are cached, each for at most `cacheSeconds`
 * and never past the token's `exp`; an inactive answer is refused and not remembered (a
 * token may not be active yet at a busy issuer); anything else (down, slow, an error status,
 * not JSON, `active` not a boolean) is a 503, never cached and never taken for success.
 * Concurrent checks of one token share one request. Answers are remembered in the runtime's
 * verified-token cache (keyed by the token's digest, sized by their claims); requests in flight
 * are found by digest too, so no whole token is kept as a key.
 */
export class IntrospectionClient {
  private readonly slot: number;
  private readonly running = new Map<string, Promise<ForeignToken>>();
  /** Requests sent so far (tests count them). */
  requests = 0;

  constructor(
    private readonly settings: TrustedIssuerSettings,
    private readonly introspection: Introspection,
    private readonly endpoint: () => Promise<string | undefined>,
    private readonly now: () => number,
    private readonly cache = new VerifiedTokenCache(undefined, now),
  ) {
    this.slot = cache.newSlot<Remembered>((cached, nowMs) => cached.until <= nowMs);
  }

  /** A cached active answer, while it lasts and its token has not reached `exp` (RFC 7519 §4.1.4: on `exp`, expired). */
  peek(token: string): ForeignToken | undefined {
    return this.remembered(tokenDigest(token));
  }

  introspect(token: string): Promise<ForeignToken> {
    // Never asked, so never remembered: the guard's cached lookup trusts a remembered token's
    // characters (bearerForLookup), and `portcullis explain` may pass any string here.
    if (!isB64Token(token)) return Promise.reject(new InvalidToken('the access token is malformed', 'malformed_token'));
    const digest = tokenDigest(token);
    const cached = this.remembered(digest);
    if (cached) return Promise.resolve(cached);
    let running = this.running.get(digest);
    if (!running) {
      running = this.ask(token, digest).finally(() => this.running.delete(digest));
      this.running.set(digest, running);
    }
    return running;
  }

  private remembered(digest: string): ForeignToken | undefined {
    const nowMs = this.now();
    this.cache.purgeIfDue(nowMs);
    const cached = this.cache.get<Remembered>(digest, this.slot);
    // Its own end, checked here: the entry may live longer when another place remembers the same token.
    if (!cached || cached.until <= nowMs) return undefined;
    if (cached.token.exp !== undefined && cached.token.exp * 1000 <= nowMs) return undefined;
    return cached.token;
  }

  private async ask(token: string, digest: string): Promise<ForeignToken> {
    const endpoint = await this.endpoint().catch(() => undefined);
    if (!endpoint) throw new TemporarilyUnavailable('the introspection endpoint of the trusted issuer is not known yet');
    const { clientId, clientSecret, timeoutMs, cacheSeconds } = this.introspection;
    this.requests++;
    let answer: Record<string, unknown>;
    try {
      answer = await fetchJson(endpoint, timeoutMs, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64')}`,
        },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
      });
    } catch {
      throw new TemporarilyUnavailable('the issuer of this access token cannot be asked about it (introspection)');
    }
    if (typeof answer.active !== 'boolean') throw new TemporarilyUnavailable('the issuer of this access token answered introspection without "active"');
    const nowSeconds = this.now() / 1000;
    const exp = answer.exp;
    if (!answer.active || (typeof exp === 'number' && exp <= nowSeconds)) throw new InvalidToken('the access token is not active at its issuer', 'revoked');
    if (answer.iss !== undefined && answer.iss !== this.settings.issuer) throw new InvalidToken('the access token is from another issuer', 'invalid_claims');
    if (typeof answer.token_type === 'string' && !ACCESS_TOKEN_TYPES.has(answer.token_type.toLowerCase())) {
      throw new InvalidToken(`not an access token (token_type ${answer.token_type})`, 'invalid_claims');
    }
    if (exp !== undefined && typeof exp !== 'number') throw new InvalidToken('the access token has an invalid exp claim', 'invalid_claims');
    const mapped = mapClaims(answer, this.settings.claims);
    const subject = subjectOf(answer, mapped.clientId, false);
    const audience = audienceOf(answer);
    const claims = { ...answer, iss: this.settings.issuer, sub: subject, client_id: mapped.clientId, scope: mapped.scopes.length ? mapped.scopes.join(' ') : undefined, roles: mapped.roles };
    const foreign: ForeignToken = { issuer: this.settings.issuer, subject, audience, exp, claims, ...mapped };
    const ttl = Math.floor(Math.min(cacheSeconds * 1000, exp === undefined ? Infinity : exp * 1000 - this.now()));
    const remembered: Remembered = { slot: this.slot, token: foreign, until: this.now() + ttl };
    this.cache.set(digest, remembered, answerBytes(foreign));
    return foreign;
  }
}
