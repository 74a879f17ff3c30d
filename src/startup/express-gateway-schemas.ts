import Ajv, { type ValidateFunction } from 'ajv';
import { formatSchemaErrors } from '../config/schema-errors';

// Express Gateway's own schemas of its two files, so their errors get the same sentences as ours:
// Express Gateway itself reports only "data should have required property 'db'", without the
// file, and the CLI could only call that an unexpected failure.
const ajv = new Ajv({ allErrors: true, verbose: true, strict: false, validateFormats: false, coerceTypes: true, useDefaults: true });
const validators: Record<'gateway' | 'system', ValidateFunction> = {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  gateway: ajv.compile(require('express-gateway/lib/config/schemas/gateway.config.json') as object),
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  system: ajv.compile(require('express-gateway/lib/config/schemas/system.config.json') as object),
};

/** The problems of `doc` (gateway.config.yml or system.config.yml) against Express Gateway's schema of it. */
export function expressGatewaySchemaProblems(kind: 'gateway' | 'system', doc: unknown, file: string): string[] {
  const validate = validators[kind];
  return validate(structuredClone(doc)) ? [] : formatSchemaErrors(validate.errors, { file, at: '' });
}
