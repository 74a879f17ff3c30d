import type { PermissionSource } from '../config/trusted-issuer-settings';

/**
 * A token of another issuer after its issuer vouched for it (a verified signature, or an `active`
 * introspection answer), with the claims the guard reads found where the issuer keeps them.
 */
export interface ForeignToken {
  issuer: string;
  clientId: string;
  subject: string;
  audience: readonly string[];
  scopes: readonly string[];
  roles: readonly string[];
  /** Epoch seconds; undefined only for an introspection answer without `exp`. */
  exp?: number;
  /** The token's claims, with `client_id`, `scope` and `roles` as the guard mapped them. */
  claims: Record<string, unknown>;
  /**
   * What this token has in common with others of the same claims but its own (jti, iat, exp...),
   * when it has: the guard derives an identity once per shared part, not per token.
   */
  shared?: object;
}

/** One trusted issuer as a guard sees it (src/trust/trusted-issuer.ts). */
export interface ForeignIssuer {
  readonly issuer: string;
  /** How its tokens become permissions. */
  readonly permissions: PermissionSource;
  /** Whether it introspects opaque tokens. */
  readonly introspects: boolean;
  /** An already checked token, without waiting; undefined means "call check", never "refused". */
  peek(token: string): ForeignToken | undefined;
  /** Verifies a JWT or introspects an opaque token; throws the refusal (401, or 503 when it cannot ask). */
  check(token: string): Promise<ForeignToken>;
}
