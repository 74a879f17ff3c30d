import { ISSUER_SCOPES } from './authorize/authorization-request';
import { CLIENT_AUTH_METHODS } from './client-authentication';
import type { GrantRegistry } from './grants/grant-registry';

/** Where each endpoint lives, relative to the issuer URL. */
export const ENDPOINT_PATHS = {
  authorization: '/oauth2/authorize',
  token: '/oauth2/token',
  userinfo: '/oauth2/userinfo',
  revocation: '/oauth2/revoke',
  introspection: '/oauth2/introspect',
  endSession: '/logout',
  jwks: '/.well-known/jwks.json',
  openidConfiguration: '/.well-known/openid-configuration',
  oauthServerMetadata: '/.well-known/oauth-authorization-server',
} as const;

export interface MetadataInputs {
  issuer: string;
  grants: Pick<GrantRegistry, 'types'>;
  signingAlgorithms: string[];
  permissions: string[];
  allowPlainPkce: boolean;
}

/**
 * The server metadata (RFC 8414 §2; OpenID Connect Discovery §3), describing exactly what is
 * implemented. The grant list comes from the grant registry so it cannot drift from the code.
 */
export function serverMetadata({ issuer, grants, signingAlgorithms, permissions, allowPlainPkce }: MetadataInputs): Record<string, unknown> {
  const authMethods = [...CLIENT_AUTH_METHODS];
  return {
    issuer,
    authorization_endpoint: issuer + ENDPOINT_PATHS.authorization,
    token_endpoint: issuer + ENDPOINT_PATHS.token,
    userinfo_endpoint: issuer + ENDPOINT_PATHS.userinfo,
    jwks_uri: issuer + ENDPOINT_PATHS.jwks,
    revocation_endpoint: issuer + ENDPOINT_PATHS.revocation,
    introspection_endpoint: issuer + ENDPOINT_PATHS.introspection,
    // OpenID Connect RP-Initiated Logout 1.0: post_logout_redirect_uri must be a registered redirect URI.
    end_session_endpoint: issuer + ENDPOINT_PATHS.endSession,
    scopes_supported: [...ISSUER_SCOPES, ...permissions],
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: grants.types(),
    code_challenge_methods_supported: allowPlainPkce ? ['S256', 'plain'] : ['S256'],
    token_endpoint_auth_methods_supported: authMethods,
    revocation_endpoint_auth_methods_supported: authMethods,
    introspection_endpoint_auth_methods_supported: authMethods.filter((m) => m !== 'none'),
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: signingAlgorithms,
    // RFC 9068 §2.1: access tokens are JWTs signed with the same keys.
    access_token_signing_alg_values_supported: signingAlgorithms,
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'auth_time', 'nonce', 'at_hash', 'name', 'preferred_username', 'updated_at', 'email', 'email_verified'],
    prompt_values_supported: ['none', 'login', 'consent', 'select_account'],
    // RFC 9207: every authorization response carries `iss`.
    authorization_response_iss_parameter_supported: true,
    request_parameter_supported: false,
    request_uri_parameter_supported: false,
    claims_parameter_supported: false,
  };
}
