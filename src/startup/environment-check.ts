import { parseSecretHashKey } from '../clients/secret-hash-key';
import { checkPassword } from '../users/password-rule';
import { checkEmail, checkUsername } from '../users/user-registry';

const LOG_LEVELS = ['error', 'warn', 'info', 'debug'];

/** Runs a check that throws, and returns its message as a problem (or nothing). */
function problemOf(check: () => unknown): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Every problem with the PORTCULLIS_* (and PORT) variables that the code parses, found before
 * anything is opened, written or bound, so a bad value can never leave a half-initialised store
 * behind (a signing key written, then a refusal). Values are never echoed: some are secrets.
 * The values that feed the YAML files (PORTCULLIS_ISSUER, PORTCULLIS_STORE...) are checked there,
 * by the schemas.
 */
export function checkEnvironment(env: NodeJS.ProcessEnv = process.env, options: { sampleUpstream?: boolean } = {}): string[] {
  const problems: (string | undefined)[] = [];
  const port = (name: string) => {
    const value = env[name];
    if (value !== undefined && !(/^\d{1,5}$/.test(value) && Number(value) <= 65535)) problems.push(`${name}: must be a TCP port number, 0 to 65535`);
  };
  problems.push(problemOf(() => parseSecretHashKey(env.PORTCULLIS_SECRET_HASH_KEY)));
  port('PORT');
  if (options.sampleUpstream) port('PORTCULLIS_ECHO_PORT');
  const level = env.PORTCULLIS_LOG_LEVEL;
  if (level !== undefined && !LOG_LEVELS.includes(level)) problems.push(`PORTCULLIS_LOG_LEVEL: must be one of: ${LOG_LEVELS.join(', ')}`);
  const home = env.PORTCULLIS_HOME;
  // A relative home would resolve against the working directory, so the server and the CLI could
  // use two different SQLite files.
  if (home !== undefined && !home.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(home)) problems.push('PORTCULLIS_HOME: must be an absolute path');
  problems.push(...checkBootstrapAdmin(env));
  return problems.filter((p): p is string => p !== undefined);
}

/**
 * The first-admin variables (see bootstrap-admin.ts): both or neither of username and password,
 * and values the user registry accepts. Before this check, a short password was only a warning
 * logged after the store had been initialised, and a lone username was silently ignored.
 */
export function checkBootstrapAdmin(env: NodeJS.ProcessEnv = process.env): string[] {
  // Empty means unset, as in bootstrapAdmin.
  const username = env.PORTCULLIS_ADMIN_USERNAME || undefined;
  const password = env.PORTCULLIS_ADMIN_PASSWORD || undefined;
  const email = env.PORTCULLIS_ADMIN_EMAIL || undefined;
  if (username === undefined && password === undefined) {
    return email === undefined ? [] : ['PORTCULLIS_ADMIN_EMAIL: is set without PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD'];
  }
  if (username === undefined || password === undefined) {
    return [`${username === undefined ? 'PORTCULLIS_ADMIN_USERNAME' : 'PORTCULLIS_ADMIN_PASSWORD'}: missing; set both PORTCULLIS_ADMIN_USERNAME and PORTCULLIS_ADMIN_PASSWORD, or neither`];
  }
  const problems = [
    problemOf(() => checkUsername(username)),
    problemOf(() => checkPassword(password)),
    email === undefined ? undefined : problemOf(() => checkEmail(email)),
  ];
  const names = ['PORTCULLIS_ADMIN_USERNAME', 'PORTCULLIS_ADMIN_PASSWORD', 'PORTCULLIS_ADMIN_EMAIL'];
  return problems.flatMap((p, i) => (p ? [`${names[i]}: ${p}`] : []));
}
