/** Administrative power over Portcullis itself (the admin area and API), from the least to the most. */
export const ADMIN_ROLES = ['admin', 'super-admin'] as const;
export type AdminRole = (typeof ADMIN_ROLES)[number];

export function isAdminRole(value: unknown): value is AdminRole {
  return (ADMIN_ROLES as readonly unknown[]).includes(value);
}

/** A person who signs in at the issuer. */
export interface User {
  userId: string;
  username: string;
  email?: string;
  emailVerified: boolean;
  name?: string;
  passwordHash: string;
  /** Roles per application: `{ echo: ['echo-reader'] }`. Their tokens for an app carry these. */
  roles: Record<string, string[]>;
  adminRole?: AdminRole;
  status: 'active' | 'disabled';
  createdAt: number;
  updatedAt: number;
}

/** What may be shown about a user: everything but the password hash. */
export type UserView = Omit<User, 'passwordHash'>;

export function userView(user: User): UserView {
  const { passwordHash: _hash, ...view } = user;
  return view;
}
