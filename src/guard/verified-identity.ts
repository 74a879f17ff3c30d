import type { AccessTokenClaims } from './token-verifier';

/** Who is calling, as the guard established it; handed to the upstream and to later middleware. */
export interface VerifiedIdentity {
  application: string;
  clientId: string;
  subject: string;
  roles: string[];
  permissions: Set<string>;
  scope?: string;
  claims: AccessTokenClaims;
}
