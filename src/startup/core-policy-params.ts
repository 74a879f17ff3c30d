import Ajv, { type ValidateFunction } from 'ajv';
import { closestName } from '../config/closest-name';
import { formatSchemaErrors, joinPath } from '../config/schema-errors';

/**
 * Express Gateway's own policies whose schema can be read without side effects (their modules
 * open no store and read no configuration when required). The others (rate-limit opens EG's
 * Redis emulation, the auth policies register passport strategies) are left to Express Gateway.
 */
const READABLE = ['cors', 'proxy', 'headers', 'log', 'expression', 'terminate', 'request-transformer', 'response-transformer'];

const ajv = new Ajv({ allErrors: true, verbose: true, coerceTypes: true, useDefaults: true, strict: false });
// Express Gateway's cors schema uses ajv-keywords' `instanceof` (for RegExp origins, which YAML cannot write).
ajv.addKeyword({ keyword: 'instanceof' });
const validators = new Map<string, ValidateFunction | undefined>();

function validatorOf(policy: string): ValidateFunction | undefined {
  if (!READABLE.includes(policy)) return undefined;
  if (!validators.has(policy)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { schema } = require(`express-gateway/lib/policies/${policy}`) as { schema?: object };
      validators.set(policy, schema ? ajv.compile(schema) : undefined);
    } catch {
      validators.set(policy, undefined); // a schema we cannot compile: Express Gateway checks it.
    }
  }
  return validators.get(policy);
}

/**
 * The problems of one step of one of Express Gateway's policies, in the same sentences as ours
 * (Express Gateway says only `POLICY_PARAMS_VALIDATION_FAILED`, naming neither the pipeline nor
 * the field); and for `proxy`, a `serviceEndpoint` that is not declared.
 */
export function checkCorePolicyStep(policy: string, step: unknown, path: string, gateway: Record<string, unknown>, file: string): string[] {
  const validate = validatorOf(policy);
  if (!validate) return [];
  const action = structuredClone(((step as { action?: unknown } | null)?.action ?? {}) as object) as Record<string, unknown>;
  const at = joinPath(path, 'action');
  if (!validate(action)) return formatSchemaErrors(validate.errors, { file, at });
  if (policy === 'proxy') {
    const declared = Object.keys((gateway.serviceEndpoints ?? {}) as object);
    const name = action.serviceEndpoint;
    if (typeof name !== 'string' || !declared.includes(name)) {
      const guess = typeof name === 'string' ? closestName(name, declared) : undefined;
      return [`${file}: ${at}.serviceEndpoint: ${name === undefined ? 'missing' : `${JSON.stringify(name)} is not declared under serviceEndpoints`}${guess ? ` (did you mean ${JSON.stringify(guess)}?)` : ''}; declared: ${declared.join(', ') || 'none'}`];
    }
  }
  return [];
}
