/**
 * The text after `portcullis clients create --help` (and `apps create --help`): what each option
 * accepts, the applications and roles of the configuration in use, an example, what is printed
 * and the exit codes. The configuration is read only when the help is shown, and a configuration
 * that cannot be read only says so: asking for help never fails.
 */
export function createHelpText(group: 'clients' | 'apps'): string {
  const apps = group === 'apps';
  const lines = [
    '',
    'What the options accept:',
    '  --name          1 to 255 characters (not blank); people see it on the consent screen.',
    '  --application   one application declared in the configuration (below). A credential belongs to',
    '                  exactly one application for its whole life: its tokens are for that API only.',
    '  --role          a role of that application; repeat for several. The roles decide the permissions',
    '                  of its client credentials tokens; with no role, its tokens carry no permission.',
    ...(apps
      ? [
          '  --type          web (the default: a server-side app with a secret), public (a browser or mobile',
          '                  app: PKCE, no secret) or service (client credentials, as `clients create`).',
          '  --redirect-uri  required for web and public apps: https, or http on a loopback host; matched exactly.',
          '  --origin        a browser origin (https://app.example) allowed to call the token, revocation',
          '                  and userinfo endpoints (CORS).',
        ]
      : ['  --type          service only (interactive apps: `portcullis apps create`).']),
    '  --admin-role    admin or super-admin: the client may also call the admin REST API (automation).',
    '  --description   an internal description, up to 500 characters; only admins see it.',
    '',
    ...configured(),
    '',
    'Example:',
    apps
      ? '  portcullis apps create --name "My app" --application echo --type web --redirect-uri https://app.example/callback'
      : '  portcullis clients create --name "Acme sync" --application echo --role echo-reader --json',
    '',
    'Prints the new client with its client_id and (not for public apps) its client_secret: the secret',
    'is shown only this once; only a keyed hash of it is stored. With --json: one JSON object on',
    'stdout, and errors as one JSON object on stderr.',
    'Exit codes: 0 created; 1 refused (an unknown application or role, a bad name), nothing created;',
    '2 the configuration is invalid.',
  ];
  return lines.join('\n');
}

/** The declared applications and their roles, from the configuration the command would use. */
function configured(): string[] {
  try {
    // Only now, and only for the help text: building the command line must not read the configuration.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { applyEnvironmentDefaults } = require('../config/environment') as typeof import('../config/environment');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { loadSettings } = require('../config/load-settings') as typeof import('../config/load-settings');
    applyEnvironmentDefaults();
    const { applications } = loadSettings();
    const width = Math.max(...Object.keys(applications).map((name) => name.length));
    return [
      `Applications and their roles in ${process.env.PORTCULLIS_CONFIG_DIR}/system.config.yml:`,
      ...Object.entries(applications).map(([name, app]) => `  ${name.padEnd(width)}  ${Object.keys(app.roles).join(', ') || '(no roles)'}`),
    ];
  } catch (err) {
    return [`Applications and roles: the configuration cannot be read (${err instanceof Error ? err.message : String(err)}).`];
  }
}
