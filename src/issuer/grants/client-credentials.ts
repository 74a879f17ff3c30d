import type { ApplicationSettings } from '../../config/settings';
import { InvalidScope, UnauthorizedClient } from '../../errors/oauth-errors';
import type { AccessTokenIssuer } from '../../tokens/access-token-issuer';
import { permissionsOf, type StoredRoles } from '../../applications/permissions';
import { parseScope } from '../scope';
import type { GrantHandler } from './grant-handler';
import { excerptList } from '../../errors/error-description';

export interface ClientCredentialsDeps {
  tokens: Pick<AccessTokenIssuer, 'issue'>;
  applications: Record<string, ApplicationSettings>;
  /** The roles admins made in an application, as they are now (src/admin/role-registry.ts). */
  storedRoles: (application: string) => Promise<StoredRoles>;
}

/**
 * RFC 6749 §4.4: a confidential client trades its own credentials for an access token.
 * The token carries the client's current roles; a requested scope narrows what those roles grant
 * (by their current definitions) and may name only permissions they grant (§4.4.2 / §3.3).
 */
export function clientCredentialsGrant({ tokens, applications, storedRoles }: ClientCredentialsDeps): GrantHandler {
  return {
    grantType: 'client_credentials',
    parameters: ['scope'],
    allowsPublicClients: false,
    async handle({ params, client: { client } }) {
      if (client.type !== 'service') {
        throw new UnauthorizedClient('this client is not allowed to use the client_credentials grant');
      }
      const application = applications[client.application];
      const requested = parseScope(params.get('scope'));
      const granted = permissionsOf(application, client.roles, await storedRoles(client.application));
      const refused = requested.filter((s) => !granted.has(s));
      if (refused.length) throw new InvalidScope(excerptList(refused) ? `scope not granted to this client: ${excerptList(refused)}` : 'scope not granted to this client');
      const scope = requested.length ? requested.join(' ') : undefined;
      const issued = await tokens.issue({
        clientId: client.clientId,
        subject: client.clientId,
        audience: application.audience,
        roles: client.roles,
        scope,
      });
      return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, ...(scope ? { scope } : {}) };
    },
  };
}
