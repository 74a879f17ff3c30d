import { Command } from 'commander';
import { print, table } from './output';
import { userIdOf } from './user-lookup';
import { withRuntime } from './with-runtime';

/** `portcullis audit`: the admin audit log, newest first. */
export function auditCommand(): Command {
  return new Command('audit')
    .description('show the audit log of admin actions, newest first')
    .option('--limit <n>', 'how many entries (default 50)', '50')
    .option('--app <clientId>', 'only entries about this app')
    .option('--user <user>', 'only entries about this user (user id or username)')
    .option('--json', 'print JSON')
    .action((opts) =>
      withRuntime(!!opts.json, async (p) => {
        // A username that no longer names anyone is taken as the id it may have been.
        const user = opts.user && (await userIdOf(p, opts.user).catch(() => opts.user as string));
        const target = opts.app ? { type: 'app', id: opts.app } : user ? { type: 'user', id: user } : undefined;
        const entries = await p.admin.auditLog(Math.min(Math.max(Number(opts.limit) || 50, 1), 1000), target);
        print(entries, !!opts.json, () =>
          table(['WHEN', 'WHO', 'ACTION', 'TARGET', 'FROM'], entries.map((e) => [new Date(e.at).toISOString(), e.actor.name, e.action, `${e.target.type} ${e.target.name ?? e.target.id}`, e.from])),
        );
      }),
    );
}
