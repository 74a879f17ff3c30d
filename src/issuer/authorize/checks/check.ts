import type { ClientRegistry } from '../../../clients/client-registry';
import type { PortcullisSettings } from '../../../config/settings';
import type { AuthorizationRequest } from '../authorization-request';

export interface AuthorizeCheckDeps {
  clients: Pick<ClientRegistry, 'find'>;
  settings: Pick<PortcullisSettings, 'pkce' | 'applications'>;
}

/** One step of the authorization request's validation; throws a typed OAuth error. */
export type AuthorizeCheck = (request: AuthorizationRequest, deps: AuthorizeCheckDeps) => void | Promise<void>;
