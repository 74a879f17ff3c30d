import { expect } from 'chai';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { startGateway, type GatewayProcess } from '../helpers/gateway-process';

const ROOT = path.resolve(__dirname, '..', '..');
const README = path.join(ROOT, 'README.md');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');

interface StoryBlock {
  /** The shell commands, as written in the README. */
  commands: string;
  /** The output the README shows right after the block, if any. */
  expected?: string;
}

/**
 * The README's quick-start story: every fenced block right after a `<!-- story -->` comment, each
 * with the output block that follows it (marked `<!-- story-output -->`) before the next story block.
 */
export function storyBlocks(markdown: string): StoryBlock[] {
  const blocks: StoryBlock[] = [];
  const marker = /<!--\s*(story|story-output)\s*-->\s*\n```[^\n]*\n([\s\S]*?)\n```/g;
  for (const match of markdown.matchAll(marker)) {
    if (match[1] === 'story') blocks.push({ commands: match[2] });
    else {
      const last = blocks.at(-1);
      if (!last) throw new Error('README: a story-output block comes before any story block');
      if (last.expected !== undefined) throw new Error('README: two story-output blocks for one story block');
      last.expected = match[2];
    }
  }
  return blocks;
}

/**
 * Replaces what differs between two runs (ids, secrets, tokens, request ids, dates) with
 * placeholders, so a documented output can be compared with a real one line by line.
 */
export function normalise(text: string): string[] {
  return text
    .replace(/\r/g, '')
    .replace(/pcc_[A-Za-z0-9_-]+/g, 'pcc_<id>')
    .replace(/pcs_[A-Za-z0-9_-]+/g, 'pcs_<secret>')
    // A JWT, or one shortened with "..." as the README does.
    .replace(/eyJ[A-Za-z0-9_-]*(?:\.\.\.|\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)/g, '<jwt>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/^(date): .*$/gim, '$1: <date>')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
}

const SEPARATOR = '@@portcullis-readme-story-block@@';

/** Runs the blocks in one bash, as a reader pasting them into one shell would, and splits the output per block. */
function runStory(blocks: StoryBlock[], gw: GatewayProcess): Promise<{ code: number | null; outputs: string[]; stderr: string }> {
  const hostPort = new URL(gw.baseUrl).host;
  const script = [
    'set -euo pipefail',
    ...blocks.flatMap((block) => [
      `echo '${SEPARATOR}'`,
      block.commands.replaceAll('localhost:8080', hostPort).replaceAll('npx portcullis', `node ${JSON.stringify(BIN)}`),
    ]),
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd: ROOT, env: gw.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, outputs: stdout.split(`${SEPARATOR}\n`).slice(1), stderr });
    });
  });
}

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
