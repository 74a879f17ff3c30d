import type { ClientView } from './client';

/** The JSON a script sees for a client (snake_case, like the protocol's own fields). */
export function clientJson(client: ClientView, clientSecret?: string) {
  return {
    client_id: client.clientId,
    // The secret is in the output of create and rotate-secret only: it is not stored anywhere.
    ...(clientSecret ? { client_secret: clientSecret } : {}),
    name: client.name,
    ...(client.description ? { description: client.description } : {}),
    type: client.type,
    application: client.application,
    redirect_uris: client.redirectUris,
    allowed_origins: client.allowedOrigins,
    roles: client.roles,
    admin_role: client.adminRole ?? null,
    status: client.status,
    created_at: new Date(client.createdAt).toISOString(),
    updated_at: new Date(client.updatedAt).toISOString(),
    ...(client.secretIssuedAt ? { secret_issued_at: new Date(client.secretIssuedAt).toISOString() } : {}),
  };
}
