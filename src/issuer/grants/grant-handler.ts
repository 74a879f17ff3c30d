import type { AuthenticatedClient } from '../client-authentication';
import type { FormParams } from '../../http/read-form';

/** A token request after client authentication. */
export interface TokenRequest {
  params: FormParams;
  client: AuthenticatedClient;
}

/** RFC 6749 §5.1 successful response (plus OpenID Connect's `id_token`). */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token?: string;
  id_token?: string;
  scope?: string;
}

/**
 * One grant type. The token endpoint finds the handler by `grantType` in the registry and never
 * branches on a grant's name; discovery reads `grant_types_supported` from the same registry.
 * Handlers are built by factories that take only the dependencies the grant uses.
 */
export interface GrantHandler {
  grantType: string;
  /** Parameters this grant reads (besides grant_type and client authentication). */
  parameters: readonly string[];
  /** Whether a public client (no secret) may use this grant. */
  allowsPublicClients: boolean;
  handle(request: TokenRequest): Promise<TokenResponse>;
}
