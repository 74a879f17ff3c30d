import { ConflictError } from '../errors/domain-errors';
import type { Logger } from '../logging/logger';
import type { UserRegistry } from '../users/user-registry';

/** What this process has already said about the first administrator (a reload opens a new runtime; it says nothing again). */
const SAID_IN_THIS_PROCESS = new Set<string>();

/** The one line that tells a newcomer how to make the first administrator (docs/ops-guide.md#the-admin-area-and-the-first-administrator). */
export const NO_USER_YET =
  'no user exists yet: to create the first administrator, run `npx portcullis users create --username admin --admin-role super-admin`, or set PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD and start again';

export const VARIABLES_IGNORED =
  'PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD are ignored: users exist already (remove the password from the environment)';

/**
 * The first super admin, without touching a database (as Keycloak's KEYCLOAK_ADMIN does): when
 * no user exists yet and PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD are set, that
 * user is created. Once any user exists the variables are ignored, so they cannot reset anything,
 * and that is said (once a process, at info level: the CLI logs warnings only, so its commands
 * stay quiet). A store without any user, and no variables, is said too, with how to make one.
 * The variables' values were checked before the store was opened (checkBootstrapAdmin: a password
 * that breaks the rules stops start-up), so a failure here is the store's, and stops start-up too;
 * only another instance creating the same user first is not a failure.
 */
export async function bootstrapAdmin(users: UserRegistry, logger: Logger, env: NodeJS.ProcessEnv = process.env, said: Set<string> = SAID_IN_THIS_PROCESS): Promise<void> {
  const username = env.PORTCULLIS_ADMIN_USERNAME;
  const password = env.PORTCULLIS_ADMIN_PASSWORD;
  const once = (message: string) => {
    if (said.has(message)) return;
    said.add(message);
    logger.info(message);
  };
  const empty = (await users.count()) === 0;
  if (!username || !password) {
    if (empty) once(NO_USER_YET);
    return;
  }
  if (!empty) return once(VARIABLES_IGNORED);
  try {
    const user = await users.create({ username, password, adminRole: 'super-admin', ...(env.PORTCULLIS_ADMIN_EMAIL ? { email: env.PORTCULLIS_ADMIN_EMAIL } : {}) });
    logger.info('created the first super admin from the environment', { username: user.username });
  } catch (err) {
    // Two instances started on one empty store: the other one made the user first.
    if (!(err instanceof ConflictError)) throw err;
    logger.info('the first super admin was created by another instance', { username });
  }
}
