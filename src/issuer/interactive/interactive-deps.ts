import type { ClientRegistry } from '../../clients/client-registry';
import type { PortcullisSettings } from '../../config/settings';
import type { Csrf } from '../../http/csrf';
import type { KeyRing } from '../../keys/key-ring';
import type { Logger } from '../../logging/logger';
import type { SessionManager } from '../../sessions/session-manager';
import type { SignInThrottle } from '../../sessions/sign-in-throttle';
import type { AuthorizationCodes } from '../../tokens/authorization-codes';
import type { Consents } from '../../users/consents';
import type { UserRegistry } from '../../users/user-registry';
import type { PendingAuthorizations } from '../authorize/pending-authorizations';

/** What the browser-facing endpoints (authorize, sign-in, consent, sign-out) work with. */
export interface InteractiveDeps {
  settings: Pick<PortcullisSettings, 'issuer' | 'pkce' | 'applications'>;
  clients: Pick<ClientRegistry, 'find'>;
  users: Pick<UserRegistry, 'find' | 'authenticate'>;
  sessions: Pick<SessionManager, 'read' | 'start' | 'end'>;
  csrf: Pick<Csrf, 'token' | 'verify'>;
  pending: Pick<PendingAuthorizations, 'load' | 'save' | 'update' | 'finish'>;
  consents: Pick<Consents, 'grant' | 'covers'>;
  codes: Pick<AuthorizationCodes, 'issue'>;
  throttle: Pick<SignInThrottle, 'begin' | 'succeeded'>;
  /** To check an `id_token_hint` at sign-out. */
  keys: Pick<KeyRing, 'verificationKey'>;
  logger: Logger;
  now: () => number;
  /** Counts sign-in attempts by result (metrics). */
  countSignIn?: (result: 'success' | 'failure' | 'throttled') => void;
}
