import { grantablePermissions } from '../../../applications/permissions';
import { InvalidScope } from '../../../errors/oauth-errors';
import { parseScope } from '../../scope';
import { ISSUER_SCOPES } from '../authorization-request';
import type { AuthorizeCheck } from './check';
import { excerptList } from '../../../errors/error-description';

/**
 * RFC 6749 §3.3: scope values are the OpenID Connect ones and the permissions of the client's
 * application; anything else is `invalid_scope`. Which permissions the user really has is decided
 * by their roles when the token is used.
 */
export const checkScope: AuthorizeCheck = (request, deps) => {
  const scopes = parseScope(request.params.get('scope'));
  const application = deps.settings.applications[request.client!.application];
  const permissions = grantablePermissions(application);
  const unknown = scopes.filter((s) => !ISSUER_SCOPES.includes(s) && !permissions.has(s));
  if (unknown.length) throw new InvalidScope(excerptList(unknown) ? `unknown scope: ${excerptList(unknown)}` : 'unknown scope');
  request.scopes = scopes;
};
