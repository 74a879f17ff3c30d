import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { configWith } from '../helpers/config-copy';
import { normalise } from '../helpers/doc-story';
import { freePort, startGateway, tempDir, type GatewayProcess } from '../helpers/gateway-process';

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');
const TSX = path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const GUIDE = fs.readFileSync(path.join(ROOT, 'docs', 'api-owner-guide.md'), 'utf8');
const SECTION = GUIDE.split('\n## The guard as plain Express middleware\n')[1].split('\n## ')[0];

/** The one fenced block of `text` with this language whose text matches `test`. */
function block(text: string, language: string, test: RegExp): string {
  const found = [...text.matchAll(/```(\w+)\n([\s\S]*?)\n```/g)].filter((m) => m[1] === language && test.test(m[2]));
  expect(found, `one \`\`\`${language} block matching ${test}`).to.have.length(1);
  return found[0][2];
}

/** Runs a bash script; resolves with its exit code and output. */
function bash(script: string, options: { env: NodeJS.ProcessEnv; cwd: string }): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', `set -euo pipefail\n${script}`], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/**
 * docs/api-owner-guide.md's plain Express example, run the way the guide says: the application of
 * its step 1 added to the issuer's configuration, the example saved as `inventory.ts` and started
 * with its own command line (`npx tsx inventory.ts`, with the issuer's URL and SQLite file), a
 * token got with the guide's commands, and the guide's three calls, whose answers must be the
 * ones it shows. In a folder of its own whose node_modules holds Express and this package, as
 * `npm install` would leave them.
 */
describe('docs: the API owner guide runs its Express middleware example', function () {
  this.timeout(90_000);
  let gw: GatewayProcess;
  let example: ChildProcess | undefined;
  let exampleOutput = '';
  let port: number;
  let dir: string;

  before(async () => {
    const application = block(GUIDE, 'yaml', /^ {6}inventory:$/m).split('\n    applications:\n')[1];
    const config = configWith('system.config.yml', (text) => text.replace('\n    applications:\n', `\n    applications:\n${application}\n`));
    gw = await startGateway({ PORTCULLIS_CONFIG_DIR: config });
    dir = tempDir();
    fs.mkdirSync(path.join(dir, 'node_modules'));
    fs.symlinkSync(path.join(ROOT, 'node_modules', 'express'), path.join(dir, 'node_modules', 'express'));
    fs.symlinkSync(ROOT, path.join(dir, 'node_modules', 'portcullis'));
    fs.writeFileSync(path.join(dir, 'inventory.ts'), /<!--\s*compiles\s*-->\s*\n```ts\n([\s\S]*?)\n```/.exec(SECTION)![1]);
  });
  after(async () => {
    example?.kill('SIGKILL');
    await gw?.stop();
  });

  it('starts with the command line the guide gives', async () => {
    const run = block(SECTION, 'bash', /npx tsx inventory\.ts/).split('\n').find((line) => line.includes('npx tsx inventory.ts'))!;
    port = await freePort();
    const command = run
      .replace('http://localhost:8080', `http://localhost:${gw.env.PORT}`)
      .replace('/opt/portcullis/data/portcullis.db', gw.env.PORTCULLIS_SQLITE_PATH!)
      .replace('npx tsx', `${JSON.stringify(process.execPath)} ${JSON.stringify(TSX)}`);
    example = spawn('bash', ['-c', `exec env ${command}`], { cwd: dir, env: { ...process.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    example.stdout!.on('data', (d) => (exampleOutput += d));
    example.stderr!.on('data', (d) => (exampleOutput += d));
    const started = Date.now();
    while (!exampleOutput.includes(`inventory API on http://localhost:${port}`)) {
      if (example.exitCode !== null || Date.now() - started > 30_000) throw new Error(`the example did not start:\n${exampleOutput}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  it('answers the guide\'s three calls as the guide shows, with a token got as the guide says', async () => {
    const getToken = block(SECTION, 'bash', /CLIENT=\$\(npx portcullis clients create/)
      .replaceAll('npx portcullis', `node ${JSON.stringify(BIN)}`)
      .replaceAll('localhost:8080', new URL(gw.baseUrl).host);
    const token = await bash(`${getToken}\necho "$TOKEN"`, { env: gw.env, cwd: ROOT });
    expect(token.code, token.stderr).to.equal(0);
    const TOKEN = token.stdout.trim().split('\n').at(-1)!;
    expect(TOKEN).to.match(/^eyJ/);

    const transcript = block(SECTION, 'text', /^\$ curl/);
    const steps = transcript.split(/^\$ /m).filter(Boolean).map((step) => {
      const [command, ...output] = step.split('\n');
      return { command, expected: output.join('\n') };
    });
    expect(steps).to.have.length(3);
    for (const { command, expected } of steps) {
      const run = await bash(command.replaceAll('localhost:3000', `localhost:${port}`), { env: { ...process.env, TOKEN }, cwd: dir });
      expect(run.code, run.stderr).to.equal(0);
      expect(normalise(run.stdout), command).to.deep.equal(normalise(expected));
    }
  });

  it('stops on SIGTERM, closing the server and the store', async () => {
    const exited = new Promise<number | null>((resolve) => example!.once('exit', (code) => resolve(code)));
    example!.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running after 10 s'), 10_000))]);
    expect(code, exampleOutput).to.not.equal('still running after 10 s');
    example = undefined;
  });
});
