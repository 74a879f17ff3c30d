import type { Client } from '../../clients/client';
import type { FormParams } from '../../http/read-form';

/** What a validated authorization request binds the code to (kept through sign-in and consent). */
interface RequestedGrant {
  redirectUriGiven: boolean;
  state?: string;
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  nonce?: string;
  maxAge?: number;
}

/** An authorization request as the checks build it up, in order. */
export interface AuthorizationRequest extends RequestedGrant {
  params: FormParams;
  /** Parameters sent more than once (RFC 6749 §3.1): refused once we know where errors may go. */
  repeated: Set<string>;
  client?: Client;
  /** The registered app's name, once `client_id` is found (also when it is then refused), for the error page. */
  appName?: string;
  /** Set once the redirect URI is trusted: from then on errors go back to the client. */
  redirectUri?: string;
  prompt: Set<string>;
}

/** What survives between the authorize request, sign-in and consent (kept in the store). */
export interface PendingAuthorization extends RequestedGrant {
  clientId: string;
  redirectUri: string;
  prompt: string[];
  /** Set when the user signed in for this request (so prompt=login is satisfied). */
  signedInAt?: number;
  /** The user this request was resumed by; consent must come from the same user. */
  userId?: string;
}

/** Scopes the issuer itself understands; an application's permissions are the others. */
export const OIDC_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

/**
 * The scope that lets a user's token call the admin API (if the user holds an admin role). It
 * must be asked for and consented to explicitly, so an ordinary app an admin signs in to never
 * receives admin power.
 */
export const ADMIN_SCOPE = 'portcullis:admin';

/** Every scope the issuer itself understands (an application's permissions are the others). */
export const ISSUER_SCOPES: readonly string[] = [...OIDC_SCOPES, ADMIN_SCOPE];
