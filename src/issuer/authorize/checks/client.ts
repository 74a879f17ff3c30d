import { InvalidRequest, UnauthorizedClient } from '../../../errors/oauth-errors';
import type { AuthorizeCheck } from './check';

/** The client must exist, be active and be an interactive app. Failures never redirect. */
export const checkClient: AuthorizeCheck = async (request, deps) => {
  if (request.repeated.has('client_id')) throw new InvalidRequest('parameter client_id must not be repeated');
  const clientId = request.params.get('client_id');
  if (!clientId) throw new InvalidRequest('client_id is required');
  const client = await deps.clients.find(clientId);
  if (!client) throw new InvalidRequest('unknown client_id');
  // Known from here on, even if refused below: the error page tells the person which app it was.
  request.appName = client.name;
  if (client.status !== 'active') throw new UnauthorizedClient('this app is deactivated');
  if (client.type === 'service') throw new UnauthorizedClient('this client cannot use the authorization code flow');
  request.client = client;
};
