import { randomUUID } from 'node:crypto';
import { CompactSign } from 'jose';
import { ISSUER, TEST_APPLICATIONS, type TestServer } from './test-portcullis';

/**
 * Tokens for the suites that probe what the verifier accepts: signed with the issuer's real
 * active key, so the signature is valid and only the part under test is wrong.
 */

/** The claims of a valid echo access token for `clientId`, issued now, living one hour. */
export function validClaims(server: TestServer, clientId: string): Record<string, unknown> {
  const iat = Math.floor(server.now.ms / 1000);
  return { iss: ISSUER, sub: clientId, aud: TEST_APPLICATIONS.echo.audience, client_id: clientId, roles: ['echo-reader'], jti: randomUUID(), iat, exp: iat + 3600 };
}

/**
 * Signs `payload` as is: a string is used byte for byte (so `1e309`, which JSON.stringify cannot
 * produce, can be sent), an object is JSON-encoded.
 */
export async function signWithIssuerKey(server: TestServer, payload: string | Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const key = server.portcullis.keys.active();
  const bytes = new TextEncoder().encode(typeof payload === 'string' ? payload : JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header }).sign(key.privateKey);
}
