import { grantablePermissions } from '../applications/permissions';
import { closestName } from './closest-name';
import { joinPath, type ConfigSite } from './schema-errors';
import type { ApplicationSettings } from './settings-types';

/**
 * A route rule whose permission its application does not declare (`permissions`, by default what its YAML roles grant) can never be satisfied: every
 * caller gets 403 on that route, silently (a typo such as `echo:raed`). Each such rule is a
 * problem naming application, route (index and path) and permission, with the closest declared
 * permission as a suggestion. To deny a route on purpose, leave it without a rule: no matching
 * rule already means deny.
 */
export function checkRoutePermissions(applications: Record<string, ApplicationSettings>, site: ConfigSite): string[] {
  const problems: string[] = [];
  for (const [name, app] of Object.entries(applications)) {
    const granted = grantablePermissions(app);
    app.routes.forEach((route, index) => {
      if (granted.has(route.permission)) return;
      const guess = closestName(route.permission, granted);
      const at = joinPath(joinPath(joinPath(joinPath(site.at, 'applications'), name), 'routes'), index);
      problems.push(
        `${site.file}: ${at}.permission: route ${index} (${route.path}) of application ${JSON.stringify(name)} needs permission ` +
          `${JSON.stringify(route.permission)}, which no role of ${JSON.stringify(name)} grants, so every caller would be refused` +
          (guess ? `; did you mean ${JSON.stringify(guess)}?` : granted.size ? `; declared permissions: ${[...granted].join(', ')}` : '; the application declares no permission'),
      );
    });
  }
  return problems;
}
