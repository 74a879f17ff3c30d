import { spawn } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '..', '..', 'bin', 'portcullis.js');

/** One answer to type: when the screen so far ends with `prompt`, type `keys`. */
export interface Answer {
  prompt: RegExp;
  keys: string;
}

/** A single-quoted shell word. */
const quoted = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

/**
 * Runs `portcullis <args>` on a real pseudo-terminal (util-linux `script`, so the command's stdin
 * is a TTY and the terminal driver echoes what is typed unless the command turns echo off), types
 * each answer once its prompt is on the screen, and returns everything the terminal showed: the
 * prompts, the output, and anything echoed.
 */
export function runOnTerminal(args: string[], env: NodeJS.ProcessEnv, answers: Answer[]): Promise<{ code: number | null; screen: string }> {
  const command = [process.execPath, BIN, ...args].map(quoted).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['--quiet', '--return', '--command', command, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let screen = '';
    let next = 0;
    // Answers are typed only once the prompt is shown: typed earlier, the driver would echo them.
    const type = () => {
      const answer = answers[next];
      if (answer && answer.prompt.test(screen)) {
        next += 1;
        child.stdin.write(answer.keys);
      }
    };
    child.stdout.on('data', (d) => {
      screen += d;
      type();
    });
    child.stderr.on('data', (d) => (screen += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen: screen.replace(/\r/g, '') });
    });
  });
}
