import { expect } from 'chai';
import Ajv from 'ajv';
import { closestName } from '../../src/config/closest-name';
import { formatSchemaErrors, joinPath } from '../../src/config/schema-errors';

const schema = {
  type: 'object',
  properties: {
    store: { type: 'object', properties: { type: { type: 'string', enum: ['sqlite', 'redis'] }, redisUrl: { type: 'string', pattern: '^rediss?://' } }, additionalProperties: false },
    apps: { type: 'object', additionalProperties: { type: 'object', required: ['audience'], properties: { audience: { type: 'string' } } } },
  },
  additionalProperties: false,
};
const validate = new Ajv({ allErrors: true, verbose: true, strict: false }).compile(schema);
const problems = (value: unknown) => (validate(value), formatSchemaErrors(validate.errors, { file: 'config/system.config.yml', at: 'plugins.portcullis' }));

describe('schema errors (src/config/schema-errors.ts)', () => {
  it('names file, full dotted path and the allowed fields of an unknown field, with the closest one', () => {
    expect(problems({ stor: {} })).to.deep.equal(['config/system.config.yml: plugins.portcullis.stor: unknown field (did you mean store?); allowed fields: store, apps']);
  });

  it('lists the allowed values of an enum', () => {
    expect(problems({ store: { type: 'mongo' } })).to.deep.equal(['config/system.config.yml: plugins.portcullis.store.type: must be one of: sqlite, redis']);
  });

  it('names a missing field under a map entry, and never echoes a value (it may be a secret)', () => {
    expect(problems({ apps: { 'my app': {} } })).to.deep.equal(['config/system.config.yml: plugins.portcullis.apps["my app"].audience: missing required field']);
    const [redis] = problems({ store: { redisUrl: 'http://user:s3cret@redis' } });
    expect(redis).to.match(/^config\/system\.config\.yml: plugins\.portcullis\.store\.redisUrl: must match pattern/);
    expect(redis).to.not.contain('s3cret');
  });

  it('writes array indices and odd names as YAML readers expect', () => {
    expect(joinPath(joinPath('pipelines', 'echo'), 0)).to.equal('pipelines.echo[0]');
    expect(joinPath('x', 'portcullis-guard')).to.equal('x.portcullis-guard');
    expect(joinPath('x', 'a b')).to.equal('x["a b"]');
  });

  it('suggests only close names', () => {
    expect(closestName('echo:raed', ['echo:read', 'echo:write'])).to.equal('echo:read');
    expect(closestName('hideCredential', ['hideCredentials', 'leeway'])).to.equal('hideCredentials');
    expect(closestName('inventory', ['echo', 'reports'])).to.equal(undefined);
  });
});
