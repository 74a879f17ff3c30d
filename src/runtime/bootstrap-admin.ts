import type { Logger } from '../logging/logger';
import type { UserRegistry } from '../users/user-registry';

/**
 * The first super admin, without touching a database (as Keycloak's KEYCLOAK_ADMIN does): when
 * no user exists yet and PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD are set, that
 * user is created. Once any user exists the variables are ignored, so they cannot reset anything.
 */
export async function bootstrapAdmin(users: UserRegistry, logger: Logger, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const username = env.PORTCULLIS_ADMIN_USERNAME;
  const password = env.PORTCULLIS_ADMIN_PASSWORD;
  if (!username || !password) return;
  if ((await users.count()) > 0) return;
  try {
    const user = await users.create({ username, password, adminRole: 'super-admin', ...(env.PORTCULLIS_ADMIN_EMAIL ? { email: env.PORTCULLIS_ADMIN_EMAIL } : {}) });
    logger.info('created the first super admin from the environment', { username: user.username });
  } catch (err) {
    // A concurrent node may have created it first; anything else is worth a warning, not a crash.
    logger.warn('could not create the first super admin', { cause: err instanceof Error ? err.message : String(err) });
  }
}
