import { spawn } from 'node:child_process';
import path from 'node:path';
import type { GatewayProcess } from './gateway-process';

// The runnable stories of the docs (README.md's quick start, docs/admin-guide.md's REST API
// examples): marked blocks, run in one shell against a real gateway, their output compared with
// what the docs show.

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'portcullis.js');

export interface StoryBlock {
  /** The shell commands, as written in the docs. */
  commands: string;
  /** The output the docs show right after the block, if any. */
  expected?: string;
}

/**
 * The story of a Markdown file: every fenced block right after a `<!-- story -->` comment, each
 * with the output block that follows it (marked `<!-- story-output -->`) before the next story block.
 */
export function storyBlocks(markdown: string): StoryBlock[] {
  const blocks: StoryBlock[] = [];
  // A block may be indented (inside a list item): its lines lose the fence's indentation.
  const marker = /<!--\s*(story|story-output)\s*-->[ \t]*\n([ \t]*)```[^\n]*\n([\s\S]*?)\n\2```/g;
  for (const match of markdown.matchAll(marker)) {
    const indent = match[2];
    const text = match[3].split('\n').map((line) => (line.startsWith(indent) ? line.slice(indent.length) : line)).join('\n');
    if (match[1] === 'story') blocks.push({ commands: text });
    else {
      const last = blocks.at(-1);
      if (!last) throw new Error('a story-output block comes before any story block');
      if (last.expected !== undefined) throw new Error('two story-output blocks for one story block');
      last.expected = text;
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
    .replace(/"csrf_token":"[A-Za-z0-9_-]+"/g, '"csrf_token":"<csrf>"')
    // Audit entries: their id and time in milliseconds.
    .replace(/"id":"\d{15}-\d{9}-[0-9a-f]+"/g, '"id":"<audit-id>"')
    .replace(/"at":\d{13}/g, '"at":<ms>')
    .split('\n')
    .map((line) => line.trimEnd())
    .filter((line) => line !== '');
}

const SEPARATOR = '@@portcullis-readme-story-block@@';

/**
 * Runs the blocks in one bash, as a reader pasting them into one shell would, and splits the
 * output per block. `npx portcullis` runs this checkout's bin/, and localhost:8080 is the gateway.
 */
export function runStory(blocks: StoryBlock[], gw: GatewayProcess, { env = gw.env, cwd = ROOT }: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<{ code: number | null; outputs: string[]; stderr: string }> {
  const hostPort = new URL(gw.baseUrl).host;
  const script = [
    'set -euo pipefail',
    ...blocks.flatMap((block) => [
      `echo '${SEPARATOR}'`,
      block.commands.replaceAll('localhost:8080', hostPort).replaceAll('npx portcullis', `node ${JSON.stringify(BIN)}`),
    ]),
  ].join('\n');
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', script], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
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

