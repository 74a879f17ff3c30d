/**
 * The `trustedIssuers` settings (settings.schema.json): other OAuth 2.0 / OpenID Connect issuers
 * whose access tokens a guard may accept, each only at the applications that name it. Kept apart
 * from settings-types.ts so that the trust layer's shapes live in one small file.
 */

/** How an issuer's tokens become an application's permissions. */
export type PermissionSource = 'roles' | 'scopes';

/** Where the claims the guard reads are, in this issuer's tokens (issue 9 part 3). */
export interface ClaimMapping {
  /** Claims holding the scopes, first present wins: a space-separated string or an array. */
  scopes: string[];
  /** A claim path holding the roles: `realm_access.roles`, `https://example.com/roles`, or its segments. */
  roles?: string | string[];
  /** Claims naming the client, first present wins (RFC 9068 `client_id`, OIDC `azp`, Entra v1 `appid`). */
  clientId: string[];
}

export interface TrustedIssuerSettings {
  /** The issuer identifier: the tokens' `iss`, exactly. */
  issuer: string;
  /** The metadata document; default: OpenID discovery, then RFC 8414, under `issuer`. */
  metadataUrl?: string;
  /** The JWK Set; default: the metadata's `jwks_uri`. */
  jwksUri?: string;
  algorithms: string[];
  /** RFC 9068 §4: the header `typ` must be `at+jwt`. */
  requireTyp: boolean;
  /** Without `requireTyp`: a JWT must carry one of these claims to count as an access token. */
  accessTokenClaims: string[];
  leeway: number;
  maxTokenLifetime: number;
  keys: { cacheSeconds: number; refetchIntervalSeconds: number; maxStaleSeconds: number; timeoutMs: number; unknownKidCacheSize: number };
  /** RFC 7662 introspection of opaque tokens, with the guard's own client credentials. */
  introspection?: { endpoint?: string; clientId: string; clientSecret: string; cacheSeconds: number; timeoutMs: number };
  claims: ClaimMapping;
  /** Default: `roles` when `claims.roles` is set, else `scopes`. */
  permissions?: PermissionSource;
}
