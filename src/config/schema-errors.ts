import type { ErrorObject } from 'ajv';
import { closestName } from './closest-name';

/** Where a validated value sits: its file, and its dotted path in that file. */
export interface ConfigSite {
  /** The file, as the operator would open it (`config/gateway.config.yml`). */
  file: string;
  /** The path of the validated value in the file, e.g. `plugins.portcullis` or `pipelines.echo.policies[0].portcullis-guard[0].action`. */
  at: string;
}

/** Appends one path segment the way an operator reads YAML: `.name`, `[0]`, or `["odd name"]`. */
export function joinPath(at: string, segment: string | number): string {
  if (typeof segment === 'number' || /^\d+$/.test(segment)) return `${at}[${segment}]`;
  if (/^[A-Za-z_$][\w$-]*$/.test(segment)) return at ? `${at}.${segment}` : segment;
  return `${at}[${JSON.stringify(segment)}]`;
}

/** An Ajv instance path (`/routes/0/permission`) below `at`, as a dotted path (`...routes[0].permission`). */
function pathOf(at: string, instancePath: string): string {
  if (!instancePath) return at;
  return instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce<string>((p, s) => joinPath(p, s), at);
}

/** Field names a schema declares, for "allowed fields" lists (fields without a type are internal, such as Express Gateway's `getCommonAuthCallback`). */
function declaredFields(parentSchema: unknown): string[] {
  const properties = (parentSchema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, s]) => s && s.type !== undefined)
    .map(([name]) => name);
}

/**
 * Turns Ajv errors (compiled with `allErrors` and `verbose`) into one sentence each, naming the
 * file, the full path of the field, and what is allowed: the declared fields for an unknown field
 * (with the closest one as a suggestion), the values for an enum. Values are never echoed: a
 * setting may hold a secret (a Redis URL with a password).
 */
export function formatSchemaErrors(errors: ErrorObject[] | null | undefined, site: ConfigSite): string[] {
  const problems: string[] = [];
  for (const e of errors ?? []) {
    const raw = pathOf(site.at, e.instancePath);
    const at = raw || '(top level)';
    const params = e.params as Record<string, unknown>;
    let problem: string;
    if (e.keyword === 'additionalProperties') {
      const name = String(params.additionalProperty);
      const allowed = declaredFields(e.parentSchema);
      const guess = closestName(name, allowed);
      problem = `${joinPath(raw, name)}: unknown field${guess ? ` (did you mean ${guess}?)` : ''}; allowed fields: ${allowed.join(', ')}`;
    } else if (e.keyword === 'required') {
      problem = `${joinPath(raw, String(params.missingProperty))}: missing required field`;
    } else if (e.keyword === 'enum') {
      problem = `${at}: must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    } else if (e.propertyName !== undefined) {
      // A bad key (application or role name, checked by propertyNames): name the key itself.
      problem = `${at}: name ${JSON.stringify(e.propertyName)} ${e.message}`;
    } else if (e.keyword === 'if') {
      continue; // Ajv adds "must match then schema" to the const error below; it adds nothing.
    } else if (e.keyword === 'const' && params.allowedValue === false) {
      // An on/off section (rateLimits): settings or `false`, and `true` would mean nothing.
      problem = `${at}: must be an object of settings, or false to turn it off`;
    } else if (e.keyword === 'propertyNames') {
      continue; // Ajv repeats the propertyName error above without the name; it adds nothing.
    } else {
      problem = `${at}: ${e.message}`;
    }
    problems.push(`${site.file}: ${problem}`);
  }
  return problems;
}
