import type { ApplicationSettings } from '../../config/settings';
import type { AdminService } from '../admin-service';

/**
 * The applications as the app and user forms offer their roles: every role, from YAML and made by
 * admins (a bespoke role made a minute ago included), each with its current permissions.
 */
export async function applicationsWithRoles(applications: Record<string, ApplicationSettings>, admin: Pick<AdminService, 'listRoles'>): Promise<Record<string, ApplicationSettings>> {
  const entries = await Promise.all(
    Object.entries(applications).map(async ([name, app]) => [name, { ...app, roles: Object.fromEntries((await admin.listRoles(name)).map((r) => [r.name, r.permissions])) }] as const),
  );
  return Object.fromEntries(entries);
}
