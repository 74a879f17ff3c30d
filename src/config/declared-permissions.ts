import { grantablePermissions } from '../applications/permissions';
import { joinPath, type ConfigSite } from './schema-errors';
import type { ApplicationSettings } from './settings-types';

/**
 * `applications.<name>.permissions`: the permissions ops declare. When it is not given it is every
 * permission the YAML roles name (configs written before admins could make roles keep working);
 * when it is given, a YAML role may name only those, and each other permission is a problem naming
 * the application, the role and the permission. Fills the default in place.
 */
export function declarePermissions(applications: Record<string, Partial<ApplicationSettings>>, site: ConfigSite): string[] {
  const problems: string[] = [];
  for (const [name, app] of Object.entries(applications)) {
    const roles = app.roles ?? {};
    if (!app.permissions) {
      app.permissions = [...grantablePermissions({ roles })];
      continue;
    }
    const declared = new Set(app.permissions);
    for (const [role, permissions] of Object.entries(roles)) {
      for (const permission of permissions.filter((p) => !declared.has(p))) {
        const at = joinPath(joinPath(joinPath(joinPath(site.at, 'applications'), name), 'roles'), role);
        problems.push(`${site.file}: ${at}: role ${JSON.stringify(role)} names permission ${JSON.stringify(permission)}, which application ${JSON.stringify(name)} does not declare in permissions`);
      }
    }
  }
  return problems;
}
