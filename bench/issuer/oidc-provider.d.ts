// The subset of node-oidc-provider 9's API that oidc-provider-server.mjs uses (the package ships no types).
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  interface Saveable {
    save(): Promise<string>;
  }
  interface GrantInstance extends Saveable {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
  }

  export default class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    on(event: 'server_error', listener: (ctx: unknown, err: Error) => void): this;
    Client: { find(id: string): Promise<unknown> };
    Grant: new (fields: { accountId: string; clientId: string }) => GrantInstance;
    AuthorizationCode: new (fields: Record<string, unknown>) => Saveable;
  }
}
