/**
 * The `iss` a token claims, read without trusting it (only to choose who verifies it), or
 * undefined for a token that is not a JWT (an opaque token) or names no issuer.
 */
export function peekIssuer(token: string): { jwt: boolean; iss?: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { jwt: false };
  try {
    const payload: unknown = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    const iss = (payload as { iss?: unknown } | null)?.iss;
    return { jwt: true, iss: typeof iss === 'string' ? iss : undefined };
  } catch {
    return { jwt: true };
  }
}
