import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';

/** How the settings schema is compiled: defaults filled in, types coerced, every error reported with its schema. */
export const SETTINGS_AJV_OPTIONS = { useDefaults: true, coerceTypes: true, allErrors: true, verbose: true, strict: false } as const;

/** Where `npm run build` writes the precompiled validator (scripts/precompile-settings-schema.js). */
export const PRECOMPILED_VALIDATOR = path.join(__dirname, 'settings-validate.js');

/** What a precompiled validator was compiled from: the schema and the options, so a stale one is never used. */
export function schemaFingerprint(schema: object): string {
  return createHash('sha256').update(JSON.stringify({ schema, options: SETTINGS_AJV_OPTIONS })).digest('base64url');
}

/**
 * The settings schema compiled by Ajv into the source of a CommonJS module (Ajv's standalone
 * code) that exports the validator and the fingerprint it was compiled from.
 */
export function precompiledValidatorSource(schema: object): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: standalone } = require('ajv/dist/standalone') as typeof import('ajv/dist/standalone');
  const ajv = new Ajv({ ...SETTINGS_AJV_OPTIONS, code: { source: true } });
  return `${standalone(ajv, ajv.compile(schema))}\nmodule.exports.fingerprint = ${JSON.stringify(schemaFingerprint(schema))};\n`;
}

/**
 * The validator of the settings schema. Compiling the schema takes longer than a whole CLI command
 * should (bench/cli/), so `npm run build` compiles it ahead of time next to this file, and that
 * code is used when it was compiled from this very schema; otherwise (run from src/ by the tests,
 * or a dist/ built by `tsc` alone after the schema changed) the schema is compiled here, with the
 * same options, so the answer is the same either way.
 */
export function settingsValidator(schema: object, precompiled = PRECOMPILED_VALIDATOR): ValidateFunction {
  let module: (ValidateFunction & { fingerprint?: string }) | undefined;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    module = require(precompiled);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
  }
  if (module && module.fingerprint === schemaFingerprint(schema)) return module;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { default: Ajv } = require('ajv') as typeof import('ajv');
  return new Ajv(SETTINGS_AJV_OPTIONS).compile(schema);
}
