import path from 'node:path';
import { grantablePermissions } from '../applications/permissions';
import { SettingsError, type PortcullisSettings } from '../config/settings';
import { handWrittenRoute, type GuardRoute } from '../guard/route-rule';
import { loadOpenApiDocument } from './openapi-document';
import { openApiRules } from './openapi-rules';

/** Every application's route rules, in the order the guard tries them. */
export type ApplicationRoutes = ReadonlyMap<string, readonly GuardRoute[]>;

/**
 * The route rules of every application: its hand-written `routes` first (so ops can override an
 * operation), then those of its `openapi` document. Read at start, before anything is opened: a
 * document that cannot be read, is invalid, or has an operation whose rule could not be enforced
 * as written (openapi-rules.ts) throws a SettingsError naming the application, the document and
 * each operation, so start-up stops.
 */
export async function applicationRoutes(settings: PortcullisSettings): Promise<ApplicationRoutes> {
  const problems: string[] = [];
  const entries = await Promise.all(
    Object.entries(settings.applications).map(async ([name, app]): Promise<[string, GuardRoute[]]> => {
      const routes = app.routes.map(handWrittenRoute);
      if (!app.openapi) return [name, routes];
      const { document: file, basePath } = app.openapi;
      const at = `application ${JSON.stringify(name)}, openapi document ${file}`;
      const loaded = await loadOpenApiDocument(file);
      if ('problem' in loaded) {
        problems.push(`${at}: ${loaded.problem}`);
        return [name, routes];
      }
      const compiled = openApiRules({ document: loaded.document, label: path.basename(file), granted: grantablePermissions(app), basePath });
      problems.push(...compiled.problems.map((p) => `${at}: ${p}`));
      return [name, [...routes, ...compiled.routes]];
    }),
  );
  if (problems.length) throw new SettingsError(`invalid OpenAPI document: ${problems.join('; ')}`);
  return new Map(entries);
}
