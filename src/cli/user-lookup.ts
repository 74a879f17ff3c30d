import { NotFoundError } from '../errors/domain-errors';
import type { AdminRuntime } from '../runtime/admin-runtime';

/**
 * The id of the user a command names, by user id or by username (an operator knows the username;
 * the id is a UUID). The id is tried first, so a user id always means that user.
 */
export async function userIdOf(p: Pick<AdminRuntime, 'users'>, user: string): Promise<string> {
  if (await p.users.find(user)) return user;
  const named = await p.users.findByUsername(user);
  if (!named) throw new NotFoundError('user', user);
  return named.userId;
}
