import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PortcullisSettings } from '../../config/settings';
import { TemporarilyUnavailable } from '../../errors/oauth-errors';
import { sendError } from '../../http/send-error';
import type { Middleware } from '../../guard/guard';
import type { IdentityHeader } from '../../guard/identity-headers';
import schema from '../../config/guard-params.schema.json';

/** The policy's action parameters, after Express Gateway applied the schema's defaults. */
export interface GuardAction {
  application: string;
  leeway: number;
  requiredClaims: string[];
  /** No schema default: it follows the issuer's `tokens.accessTokenTtl` (see Portcullis.guard). */
  maxTokenLifetime?: number;
  headerPrefix: string;
  hideCredentials: boolean;
  identityHeaders: IdentityHeader[];
  removeHeaders: string[];
  apiKey: 'off' | 'required';
  apiKeyHeader: string;
  debugHeader: boolean;
  /** Where the caller's roles come from: `token` (the claim) or `live` (the registry). */
  roles: 'token' | 'live';
}

/** What the policy needs of a runtime: a guard for one application (Portcullis.guard). */
export interface GuardFactory {
  guard(action: GuardAction): { middleware(): Middleware };
}

/**
 * `portcullis-guard`: put it in a pipeline before `proxy`, naming the application it protects.
 * An application missing from the plugin settings stops start-up here, naming the field.
 */
export function guardPolicy(settings: PortcullisSettings, runtime: () => Promise<GuardFactory>) {
  return {
    name: 'portcullis-guard',
    schema,
    policy(action: GuardAction): Middleware {
      if (!Object.hasOwn(settings.applications, action.application)) {
        throw new Error(`portcullis-guard: action.application ${JSON.stringify(action.application)} is not declared in plugins.portcullis.applications`);
      }
      let ready: Middleware | undefined;
      const pending = runtime().then((p) => {
        ready = p.guard(action).middleware();
        return ready;
      });
      pending.catch(() => undefined);
      return (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) => {
        if (ready) return ready(req, res, next);
        pending.then(
          (mw) => mw(req, res, next),
          () => sendError(req, res, new TemporarilyUnavailable('the guard is not available'), { kind: 'resource', realm: settings.realm }),
        );
      };
    },
  };
}
