import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { expressGatewaySchemaProblems } from '../../src/startup/express-gateway-schemas';

const sample = (name: string) => yaml.load(fs.readFileSync(path.resolve(__dirname, '..', '..', 'config', name), 'utf8').replace(/\$\{[A-Z_]+(:-([^}]*))?\}/g, (_m, _d, fallback) => fallback ?? 'x')) as Record<string, unknown>;

describe("Express Gateway's schemas (src/startup/express-gateway-schemas.ts)", () => {
  it('accepts the sample files', () => {
    expect(expressGatewaySchemaProblems('system', sample('system.config.yml'), 'system.config.yml')).to.deep.equal([]);
    expect(expressGatewaySchemaProblems('gateway', sample('gateway.config.yml'), 'gateway.config.yml')).to.deep.equal([]);
  });

  it('names the file and the field, without Express Gateway\'s "data" prefix', () => {
    const { db: _db, ...noDb } = sample('system.config.yml');
    expect(expressGatewaySchemaProblems('system', noDb, 'config/system.config.yml')).to.deep.equal(['config/system.config.yml: db: missing required field']);
    const gateway = sample('gateway.config.yml');
    expect(expressGatewaySchemaProblems('gateway', { ...gateway, http: { port: 'eighty' } }, 'config/gateway.config.yml')).to.deep.equal(['config/gateway.config.yml: http.port: must be number']);
  });
});
