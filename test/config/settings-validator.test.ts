import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import Ajv from 'ajv';
import { formatSchemaErrors } from '../../src/config/schema-errors';
import { settingsSchema } from '../../src/config/settings';
import { precompiledValidatorSource, schemaFingerprint, settingsValidator, SETTINGS_AJV_OPTIONS } from '../../src/config/settings-validator';
import { tempDir } from '../helpers/gateway-process';

const app = () => ({
  audience: 'urn:portcullis:application:echo',
  roles: { 'echo-reader': ['echo:read'] },
  routes: [{ methods: ['GET'], path: '/echo/**', permission: 'echo:read' }],
});

/** Settings that exercise defaults, coercion and most kinds of error (unknown field, enum, range, names). */
const SAMPLES: unknown[] = [
  { issuer: 'https://auth.example.com', applications: { echo: app() } },
  { issuer: 'https://auth.example.com', applications: { echo: app() }, cacheMs: '250', store: { type: 'redis', redis: { mode: 'cluster' } } },
  { issuer: 'https://auth.example.com', applications: { echo: app() }, cacheMs: 5000, tokns: {}, keys: { algorithm: 'HS256' } },
  { issuer: 'ftp://x', applications: { 'Bad Name': app(), echo: { ...app(), routes: [{ methods: ['FETCH'], path: 'x' }] } }, rateLimits: true },
  {},
];

const SITE = { file: 'system.config.yml', at: 'plugins.portcullis' };

function outcome(validate: (data: unknown) => boolean & { errors?: unknown }, raw: unknown) {
  const copy = structuredClone(raw) as Record<string, unknown>;
  const v = validate as unknown as { (data: unknown): boolean; errors?: Parameters<typeof formatSchemaErrors>[0] };
  const valid = v(copy);
  return { valid, value: copy, problems: formatSchemaErrors(v.errors, SITE) };
}

/** Writes a precompiled validator module, as `npm run build` does, into a fresh folder. */
function writePrecompiled(source: string): string {
  const file = path.join(tempDir(), 'settings-validate.js');
  // The generated code requires ajv's runtime helpers: resolve them from this package.
  fs.symlinkSync(path.resolve(__dirname, '..', '..', 'node_modules'), path.join(path.dirname(file), 'node_modules'));
  fs.writeFileSync(file, source);
  return file;
}

describe('settings validator (src/config/settings-validator.ts)', function () {
  this.timeout(30_000);

  it('the precompiled code answers exactly as the schema compiled at run time: validity, defaults, every error', function () {
    const precompiled = settingsValidator(settingsSchema, writePrecompiled(precompiledValidatorSource(settingsSchema)));
    const compiled = new Ajv(SETTINGS_AJV_OPTIONS).compile(settingsSchema);
    expect(precompiled, 'the precompiled module is used').to.have.property('fingerprint', schemaFingerprint(settingsSchema));
    for (const raw of SAMPLES) {
      const a = outcome(precompiled as never, raw);
      const b = outcome(compiled as never, raw);
      expect(a, JSON.stringify(raw)).to.deep.equal(b);
    }
    // The samples really cover both answers.
    expect(SAMPLES.map((raw) => outcome(compiled as never, raw).valid)).to.deep.equal([true, true, false, false, false]);
    expect(outcome(compiled as never, SAMPLES[2]).problems.join('\n')).to.match(/unknown field \(did you mean tokens\?\)/);
  });

  it('a precompiled validator of another schema (a stale build) is not used: the schema is compiled instead', function () {
    const other = { ...settingsSchema, required: ['issuer'] };
    const stale = writePrecompiled(precompiledValidatorSource(other));
    const validate = settingsValidator(settingsSchema, stale);
    expect(validate).to.not.have.property('fingerprint');
    expect(outcome(validate as never, { issuer: 'https://auth.example.com' }).problems.join()).to.match(/applications: missing required field/);
    // ...and the stale one, had it been used, would have answered otherwise.
    expect(outcome(settingsValidator(other, stale) as never, { issuer: 'https://auth.example.com' }).valid).to.equal(true);
  });

  it('without a precompiled validator (run from src/), the schema is compiled', function () {
    const validate = settingsValidator(settingsSchema, path.join(tempDir(), 'settings-validate.js'));
    expect(validate).to.not.have.property('fingerprint');
    expect(outcome(validate as never, SAMPLES[0]).valid).to.equal(true);
  });
});
