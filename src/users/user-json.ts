import type { UserView } from './user';

/** The JSON scripts and the admin API see for a user (snake_case; never the password hash). */
export function userJson(user: UserView) {
  return {
    user_id: user.userId,
    username: user.username,
    ...(user.email ? { email: user.email } : {}),
    ...(user.name ? { name: user.name } : {}),
    roles: user.roles,
    admin_role: user.adminRole ?? null,
    status: user.status,
    created_at: new Date(user.createdAt).toISOString(),
  };
}
