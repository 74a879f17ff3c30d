import { DomainError, ValidationError } from '../errors/domain-errors';

/** Ctrl-C or Ctrl-D at the prompt: nothing is changed. */
export class PromptCancelled extends DomainError {
  constructor() {
    super('cancelled', 'cancelled at the password prompt; nothing was changed');
  }
}

interface Terminal {
  input: NodeJS.ReadStream;
  output: NodeJS.WriteStream;
}

/**
 * Asks for a password on the terminal without echoing it: the terminal is put in raw mode (so
 * the terminal driver does not print what is typed) before the prompt is written, and restored
 * afterwards, whatever happens. Backspace deletes, Enter ends, Ctrl-C and Ctrl-D cancel. The
 * prompt goes to stderr so that stdout carries only the result (`--json`).
 */
export function promptPassword(prompt: string, terminal: Terminal = { input: process.stdin, output: process.stderr }): Promise<string> {
  const { input, output } = terminal;
  return new Promise((resolve, reject) => {
    const chars: string[] = [];
    const wasRaw = input.isRaw;
    const finish = (error?: Error) => {
      input.off('data', onData);
      input.setRawMode(wasRaw);
      input.pause();
      output.write('\n');
      if (error) reject(error);
      else resolve(chars.join(''));
    };
    const onData = (data: Buffer | string) => {
      for (const ch of String(data)) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003' || ch === '\u0004') return finish(new PromptCancelled());
        if (ch === '\u007f' || ch === '\b') chars.pop();
        else if (ch >= ' ') chars.push(ch);
      }
    };
    input.setRawMode(true);
    input.setEncoding('utf8');
    input.on('data', onData);
    input.resume();
    output.write(prompt);
  });
}

/** Asks twice (a typo in a password nobody sees would lock its owner out) and refuses two different answers. */
export async function promptNewPassword(terminal?: Terminal): Promise<string> {
  const password = await promptPassword('New password: ', terminal);
  const again = await promptPassword('Repeat the password: ', terminal);
  if (password !== again) throw new ValidationError('password', 'the two passwords differ; nothing was changed');
  return password;
}

/**
 * The password of `users create` and `users set-password`: `--password` as given; on a terminal
 * (with `--password-stdin` or with neither option) a prompt without echo; otherwise standard input
 * with `--password-stdin`, so it is in neither the shell history nor the process list.
 */
export async function passwordFrom(opts: { password?: string; passwordStdin?: boolean }): Promise<string> {
  if (opts.password !== undefined) return opts.password;
  if (process.stdin.isTTY) return promptNewPassword();
  if (!opts.passwordStdin) throw new ValidationError('password', 'give --password-stdin (recommended) or --password, or run the command on a terminal to be asked for it');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}
