import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { loadOpenApiDocument } from '../../src/startup/openapi-document';
import { tempDir } from '../helpers/gateway-process';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'openapi');

describe('reading an OpenAPI document (src/startup/openapi-document.ts)', function () {
  it('reads YAML (3.1) and JSON (3.0), with every $ref resolved', async function () {
    const yaml = await loadOpenApiDocument(path.join(FIXTURES, 'petstore.yaml'));
    if ('problem' in yaml) throw new Error(yaml.problem);
    // A path item's parameter `$ref` and a scheme are plain objects now.
    const parameter = (yaml.document.paths!['/pets/{petId}']!.parameters as Array<Record<string, unknown>>)[0];
    expect(parameter).to.include({ name: 'petId', in: 'path' });
    const json = await loadOpenApiDocument(path.join(FIXTURES, 'inventory.json'));
    if ('problem' in json) throw new Error(json.problem);
    expect(json.document.openapi).to.equal('3.0.3');
  });

  it('resolves a $ref into another file next to the document', async function () {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'schemes.yaml'), 'oauth:\n  type: oauth2\n  flows:\n    clientCredentials:\n      tokenUrl: https://a.test/token\n      scopes: {}\n');
    fs.writeFileSync(
      path.join(dir, 'api.yaml'),
      "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\ncomponents:\n  securitySchemes:\n    oauth:\n      $ref: './schemes.yaml#/oauth'\n",
    );
    const loaded = await loadOpenApiDocument(path.join(dir, 'api.yaml'));
    if ('problem' in loaded) throw new Error(loaded.problem);
    expect(loaded.document.components!.securitySchemes!.oauth).to.include({ type: 'oauth2' });
  });

  it('a file that cannot be read', async function () {
    const loaded = await loadOpenApiDocument(path.join(tempDir(), 'missing.yaml'));
    expect(loaded).to.have.property('problem').that.matches(/^cannot read the document: .*missing\.yaml/);
  });

  it('a file that is not an OpenAPI document, or breaks its schema: each error on one line', async function () {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not.yaml'), 'just: [a, list');
    expect(await loadOpenApiDocument(path.join(dir, 'not.yaml'))).to.have.property('problem').that.matches(/^not a valid OpenAPI document: /);
    fs.writeFileSync(path.join(dir, 'bad.yaml'), 'openapi: 3.0.3\ninfo: {title: t}\npaths:\n  /pets:\n    get:\n      responses: {}\n');
    const bad = await loadOpenApiDocument(path.join(dir, 'bad.yaml'));
    expect(bad).to.have.property('problem').that.matches(/^not a valid OpenAPI document: .*#\/info must have required property 'version'/);
    expect((bad as { problem: string }).problem).to.not.contain('\n');
  });

  it('a $ref that points nowhere', async function () {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'api.yaml'), "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n      parameters:\n        - $ref: '#/components/parameters/Nope'\n      responses: {'200': {description: ok}}\n");
    expect(await loadOpenApiDocument(path.join(dir, 'api.yaml'))).to.have.property('problem').that.matches(/^not a valid OpenAPI document: .*Nope/);
  });

  it('Swagger 2.0 is refused: only OpenAPI 3.0 and 3.1 have the rules read here', async function () {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'v2.json'), JSON.stringify({ swagger: '2.0', info: { title: 't', version: '1' }, paths: {} }));
    expect(await loadOpenApiDocument(path.join(dir, 'v2.json'))).to.have.property('problem').that.matches(/^not an OpenAPI 3\.0 or 3\.1 document/);
  });
});
