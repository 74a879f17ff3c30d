import { CLIENT_AUTH_METHODS } from './client-authentication';
import type { GrantRegistry } from './grants/grant-registry';

/** Where each endpoint lives, relative to the issuer URL. */
export const ENDPOINT_PATHS = {
  token: '/oauth2/token',
  jwks: '/.well-known/jwks.json',
  openidConfiguration: '/.well-known/openid-configuration',
  oauthServerMetadata: '/.well-known/oauth-authorization-server',
} as const;

/**
 * The server metadata (RFC 8414 §2; OpenID Connect Discovery §3), describing exactly what is
 * implemented. The grant list comes from the grant registry so it cannot drift from the code.
 */
export function serverMetadata(issuer: string, grants: GrantRegistry, signingAlgorithms: string[]): Record<string, unknown> {
  return {
    issuer,
    token_endpoint: issuer + ENDPOINT_PATHS.token,
    jwks_uri: issuer + ENDPOINT_PATHS.jwks,
    grant_types_supported: grants.types(),
    response_types_supported: [],
    token_endpoint_auth_methods_supported: CLIENT_AUTH_METHODS.filter((m) => m !== 'none'),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: signingAlgorithms,
    // RFC 9068 §2.1: access tokens are JWTs signed with the same keys.
    access_token_signing_alg_values_supported: signingAlgorithms,
  };
}
