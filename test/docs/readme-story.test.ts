import { expect } from 'chai';
import fs from 'node:fs';
import path from 'node:path';
import { normalise, runStory, storyBlocks } from '../helpers/doc-story';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

const README = path.join(path.resolve(__dirname, '..', '..'), 'README.md');

describe('docs: the README story runs as written', function () {
  this.timeout(90_000);
  const blocks = storyBlocks(fs.readFileSync(README, 'utf8'));
  let gw: GatewayProcess;
  let run: Awaited<ReturnType<typeof runStory>>;

  before(async () => {
    gw = await startGateway();
    run = await runStory(blocks, gw);
  });
  after(async () => {
    await gw?.stop();
  });

  it('has the story blocks marked in the README', () => {
    expect(blocks.length, 'story blocks').to.be.at.least(4);
    const all = blocks.map((b) => b.commands).join('\n');
    expect(all).to.contain('npx portcullis clients create --name "Acme sync" --application echo --role echo-reader --json');
    expect(all).to.match(/curl -s -u "?\$ID:\$SECRET"? -d grant_type=client_credentials http:\/\/localhost:8080\/oauth2\/token/);
    expect(all).to.not.match(/\bjq\b/);
  });

  it('runs in one shell without failing', () => {
    expect(run.code, `stderr:\n${run.stderr}\noutput:\n${run.outputs.join('\n---\n')}`).to.equal(0);
    expect(run.outputs).to.have.length(blocks.length);
  });

  it('answers 401 without a token, 200 with the echo of the verified identity, 403 insufficient_scope on POST', () => {
    const all = run.outputs.join('\n');
    expect(all).to.match(/^HTTP\/1\.1 401 Unauthorized\r?$/m);
    expect(all).to.match(/^WWW-Authenticate: Bearer realm="portcullis"\r?$/m);
    expect(all).to.match(/^HTTP\/1\.1 200 OK\r?$/m);
    const echoLine = all.split('\n').find((line) => line.startsWith('{"upstream":"echo"'));
    expect(echoLine, 'the echo API answer').to.be.a('string');
    const echo = JSON.parse(echoLine!);
    expect(echo).to.include({ method: 'GET', path: '/echo/hello' });
    expect(echo.identity).to.include({ 'x-portcullis-application': 'echo', 'x-portcullis-roles': 'echo-reader', 'x-portcullis-permissions': 'echo:read' });
    expect(echo.identity['x-portcullis-client-id']).to.match(/^pcc_/);
    expect(all).to.match(/^HTTP\/1\.1 403 Forbidden\r?$/m);
    expect(all).to.contain('"error":"insufficient_scope"');
    expect(all).to.contain('scope="echo:write"');
  });

  it('prints what the README shows after each block', () => {
    blocks.forEach((block, i) => {
      if (block.expected === undefined) return;
      const actual = normalise(run.outputs[i] ?? '');
      for (const line of normalise(block.expected)) {
        expect(actual, `README block ${i + 1} (${block.commands.split('\n')[0]}) should print:\n${line}\nbut printed:\n${actual.join('\n')}`).to.include(line);
      }
    });
  });
});
