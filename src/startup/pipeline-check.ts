import Ajv from 'ajv';
import guardSchema from '../config/guard-params.schema.json';
import { headerPrefixProblem } from '../guard/identity-headers';
import { ACCESS_TOKEN_CLAIMS } from '../tokens/access-token-issuer';
import { closestName } from '../config/closest-name';
import { checkCorePolicyStep } from './core-policy-params';
import { routesCanMatch } from './route-reach-check';
import { formatSchemaErrors, joinPath } from '../config/schema-errors';
import type { PortcullisSettings } from '../config/settings';

const GUARD = 'portcullis-guard';

/**
 * Policies that may run before `portcullis-guard`: they neither forward the request, nor answer
 * it with anything but a refusal, nor change what the guard sees (the Authorization header, the
 * path, the identity headers). Anything else, including every policy of another plugin, is
 * refused before the guard: unknown means unsafe.
 *
 * Not on the list, and why:
 * - `proxy`: forwards to the backend, unauthenticated (the audit's example).
 * - `headers`, `request-transformer`: set request headers, so they could hand the guard an
 *   `Authorization` header that the caller never sent.
 * - `expression`: runs arbitrary JavaScript on the request and can answer it.
 * - `terminate`: answers with any status and message, e.g. 200, to unauthenticated callers.
 * - `response-transformer`: rewrites the guard's own 401/403 (it could drop `WWW-Authenticate`).
 * - `basic-auth`, `key-auth`, `jwt`, `oauth2`, `oauth2-introspect`: Express Gateway's own auth,
 *   which answers and, with `passThrough`, lets requests on with an identity the guard ignores.
 */
export const HARMLESS_BEFORE_GUARD: Record<string, string> = {
  // A browser's CORS preflight carries no credentials (Fetch standard §3.2.2), so it must be
  // answered before authentication; the policy answers only OPTIONS preflights, with CORS headers.
  cors: 'answers only CORS preflights, which carry no credentials',
  // Writes a log line and calls next(); it sees the request, it does not change it. (Its message,
  // like rate-limit's rateLimitBy, is a JavaScript template: one written to assign to the request
  // is code, and belongs in an `expression` after the guard.)
  log: 'only writes a log line',
  // Can only refuse (429); limiting before authentication also shields the guard from floods.
  'rate-limit': 'can only refuse, with 429',
};

const validateGuardAction = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, useDefaults: true, strict: false }).compile(guardSchema);

/** Where each configuration file is, for the messages. */
export interface ConfigFiles {
  gateway: string;
  system: string;
}

const asArray = (value: unknown): unknown[] => (value === undefined || value === null ? [] : Array.isArray(value) ? value : [value]);
const list = (names: Iterable<string>) => [...names].join(', ') || 'none';

/**
 * Checks the pipelines of gateway.config.yml against the plugin settings and returns every
 * problem, each naming file, pipeline, position and field:
 * - a policy that forwards or answers (anything not in HARMLESS_BEFORE_GUARD) before the guard;
 * - a pipeline that forwards or answers with no guard at all, unless `publicPipelines` names it;
 * - a guard with a condition (requests that do not match it would pass unchecked), a second
 *   guard in one pipeline, a guard action that does not match its schema or names an
 *   application that is not declared;
 * - a pipeline with no apiEndpoints, one naming an apiEndpoint that is not declared, or an
 *   apiEndpoint claimed by two pipelines (Express Gateway silently uses the last one);
 * - a policy missing from the `policies` list, a `publicPipelines` entry naming no pipeline;
 * - with `knownPolicies`, a name in the `policies` list that no loaded code provides.
 */
export function checkPipelines(gateway: Record<string, unknown>, settings: PortcullisSettings, files: ConfigFiles, knownPolicies?: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  const at = (path: string, problem: string) => problems.push(`${files.gateway}: ${path}: ${problem}`);
  // Express Gateway would stop with a bare POLICY_NOT_FOUND; known only when no other plugin can add policies.
  if (knownPolicies) {
    asArray(gateway.policies).forEach((policy, i) => {
      if (knownPolicies.has(String(policy))) return;
      const guess = closestName(String(policy), knownPolicies);
      at(`policies[${i}]`, `unknown policy ${JSON.stringify(policy)}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; known: ${list([...knownPolicies].sort())}`);
    });
  }
  const pipelines = (gateway.pipelines ?? {}) as Record<string, Record<string, unknown> | null>;
  const declaredEndpoints = new Set(Object.keys((gateway.apiEndpoints ?? {}) as object));
  const declaredPolicies = new Set(asArray(gateway.policies).map(String));
  const applications = Object.keys(settings.applications);
  const publicPipelines = new Set(settings.publicPipelines);
  const endpointOwner = new Map<string, string>();

  for (const [name, pipeline] of Object.entries(pipelines)) {
    const here = joinPath('pipelines', name);
    const endpoints = asArray(pipeline?.apiEndpoints ?? pipeline?.apiEndpoint);
    if (endpoints.length === 0) at(joinPath(here, 'apiEndpoints'), `missing: the pipeline serves nothing; name one or more of the apiEndpoints: ${list(declaredEndpoints)}`);
    endpoints.forEach((endpoint, i) => {
      const e = String(endpoint);
      if (!declaredEndpoints.has(e)) at(joinPath(joinPath(here, 'apiEndpoints'), i), `${JSON.stringify(e)} is not declared under apiEndpoints (declared: ${list(declaredEndpoints)})`);
      else if (endpointOwner.has(e)) at(joinPath(joinPath(here, 'apiEndpoints'), i), `${JSON.stringify(e)} is already served by pipeline ${JSON.stringify(endpointOwner.get(e))}; Express Gateway would silently use only one of them`);
      else endpointOwner.set(e, name);
    });

    const policies = asArray(pipeline?.policies ?? pipeline?.policy);
    const total = policies.length;
    let guardAt: number | undefined;
    const unsafe: number[] = [];
    policies.forEach((entry, i) => {
      const path = joinPath(joinPath(here, 'policies'), i);
      const keys = entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.keys(entry) : [];
      if (keys.length !== 1) return at(path, 'must be one policy name with its steps, e.g. "- proxy: [{action: {serviceEndpoint: echo}}]"');
      const policy = keys[0];
      if (!declaredPolicies.has(policy)) at(path, `policy ${JSON.stringify(policy)} is not listed under policies (listed: ${list(declaredPolicies)})`);
      if (policy === GUARD) {
        const steps = asArray((entry as Record<string, unknown>)[GUARD]);
        if (steps.length === 0) {
          at(joinPath(path, GUARD), `needs a step with action.application (one of: ${list(applications)})`);
          guardAt ??= i;
        }
        steps.forEach((step, j) => {
          const stepPath = joinPath(joinPath(path, GUARD), j);
          if (guardAt !== undefined) {
            at(stepPath, `a second portcullis-guard in pipeline ${JSON.stringify(name)} (the first is policies[${guardAt}]); use one guard per pipeline: each guard needs a token for its own application`);
          } else guardAt = i;
          const stepProblems = checkGuardStep(step, stepPath, applications, files.gateway);
          problems.push(...stepProblems);
          if (stepProblems.length === 0) problems.push(...checkReach(step, stepPath, endpoints.map(String), gateway, settings, files.gateway));
        });
      } else {
        // Express Gateway runs a policy without steps once, with an empty action.
        const steps = asArray((entry as Record<string, unknown>)[policy]);
        (steps.length ? steps : [{}]).forEach((step, j) => problems.push(...checkCorePolicyStep(policy, step, joinPath(joinPath(path, policy), j), gateway, files.gateway)));
      }
      if (policy !== GUARD && !Object.hasOwn(HARMLESS_BEFORE_GUARD, policy)) {
        unsafe.push(i);
        if (guardAt === undefined && policies.slice(i + 1).some((p) => p && typeof p === 'object' && Object.hasOwn(p, GUARD))) {
          const g = policies.findIndex((p) => p && typeof p === 'object' && Object.hasOwn(p, GUARD));
          at(path, `${policy} comes before portcullis-guard (position ${i + 1} of ${total}, the guard is at position ${g + 1}), so it would run for unauthenticated requests; only ${list(Object.keys(HARMLESS_BEFORE_GUARD))} may come before the guard`);
        }
      }
    });

    const isPublic = publicPipelines.has(name);
    if (guardAt === undefined && unsafe.length > 0 && !isPublic) {
      const first = unsafe[0];
      const policy = Object.keys(policies[first] as object)[0];
      at(here, `has no portcullis-guard, but ${policy} (policies[${first}]) forwards or answers requests unauthenticated; add a portcullis-guard before it, or, if the pipeline is deliberately public, list ${JSON.stringify(name)} in plugins.portcullis.publicPipelines of ${files.system}`);
    }
    if (guardAt !== undefined && isPublic) {
      problems.push(`${files.system}: plugins.portcullis.publicPipelines: ${JSON.stringify(name)} is listed as public but has a portcullis-guard (policies[${guardAt}] of ${files.gateway}); remove one of the two`);
    }
  }

  settings.publicPipelines.forEach((name, i) => {
    if (Object.hasOwn(pipelines, name)) return;
    const guess = closestName(name, Object.keys(pipelines));
    problems.push(`${files.system}: plugins.portcullis.publicPipelines[${i}]: no pipeline ${JSON.stringify(name)} in ${files.gateway}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; pipelines: ${list(Object.keys(pipelines))}`);
  });
  return problems;
}

/** One step of a guard: no condition, only `action` (+ Express Gateway's default condition), a valid action for a declared application. */
function checkGuardStep(step: unknown, path: string, applications: string[], file: string): string[] {
  const problems: string[] = [];
  const s = (step && typeof step === 'object' ? step : {}) as Record<string, unknown>;
  for (const key of Object.keys(s)) {
    if (key !== 'action' && key !== 'condition') problems.push(`${file}: ${joinPath(path, key)}: unknown field; allowed fields: action`);
  }
  const condition = s.condition as { name?: unknown } | undefined;
  // Express Gateway adds `condition: {name: always}` to every step itself; any other condition
  // means the guard is skipped for the requests that do not match it, which then pass unchecked.
  if (condition !== undefined && condition?.name !== 'always') {
    problems.push(`${file}: ${joinPath(path, 'condition')}: portcullis-guard must run on every request of its pipeline; with a condition, requests that do not match it would reach the backend unchecked (put the condition on the policies after the guard, or split the pipeline)`);
  }
  const action = structuredClone((s.action ?? {}) as object) as Record<string, unknown>;
  if (!validateGuardAction(action)) {
    problems.push(...formatSchemaErrors(validateGuardAction.errors, { file, at: joinPath(path, 'action') }));
    return problems;
  }
  // A claim Portcullis never issues can never be present: the guard would refuse every token.
  (action.requiredClaims as string[]).forEach((claim, i) => {
    if ((ACCESS_TOKEN_CLAIMS as readonly string[]).includes(claim)) return;
    problems.push(`${file}: ${joinPath(path, 'action')}.requiredClaims[${i}]: Portcullis never puts ${JSON.stringify(claim)} in an access token, so the guard would refuse every request; must be one of: ${ACCESS_TOKEN_CLAIMS.join(', ')}`);
  });
  const prefixProblem = headerPrefixProblem(String(action.headerPrefix));
  if (prefixProblem) problems.push(`${file}: ${joinPath(path, 'action')}.headerPrefix: ${prefixProblem}`);
  if (!applications.includes(String(action.application))) {
    const guess = closestName(String(action.application), applications);
    problems.push(
      `${file}: ${joinPath(path, 'action')}.application: ${JSON.stringify(action.application)} is not declared in plugins.portcullis.applications` +
        `${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; declared: ${list(applications)}`,
    );
  }
  return problems;
}

/** The paths an apiEndpoint matches (undefined: every path), as Express Gateway reads them. */
function endpointPaths(definition: unknown): string[] | undefined {
  const paths: string[] = [];
  for (const d of asArray(definition) as Array<{ paths?: unknown; path?: unknown; pathRegex?: unknown }>) {
    const p = asArray(d?.paths ?? d?.path).map(String);
    if (d?.pathRegex !== undefined || p.length === 0) return undefined;
    paths.push(...p);
  }
  return paths;
}

/** A guard whose application has no route rule that any path of the pipeline could match refuses everyone. */
function checkReach(step: unknown, path: string, endpoints: string[], gateway: Record<string, unknown>, settings: PortcullisSettings, file: string): string[] {
  const application = String((step as { action: { application: string } }).action.application);
  const app = settings.applications[application];
  const declared = (gateway.apiEndpoints ?? {}) as Record<string, unknown>;
  const known = endpoints.filter((e) => Object.hasOwn(declared, e));
  if (known.length === 0) return [];
  const paths = known.map((e) => endpointPaths(declared[e]));
  const all = paths.some((p) => p === undefined) ? undefined : paths.flat() as string[];
  if (routesCanMatch(app, all)) return [];
  return [
    `${file}: ${joinPath(path, 'action')}.application: no route rule of application ${JSON.stringify(application)} ` +
      `(${app.routes.map((r) => r.path).join(', ') || 'none'}) can match a path of apiEndpoints ${known.join(', ')}` +
      `${all ? ` (${all.join(', ')})` : ''}, so the guard would refuse every request; is it the right application?`,
  ];
}
