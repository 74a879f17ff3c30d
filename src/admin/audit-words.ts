import type { AuditEntry } from './audit-log';

/** The audit log's actions as people say them; an action not named here is shown by its code's words. */
const WORDS: Readonly<Record<string, string>> = {
  'app.create': 'Created app',
  'app.update': 'Edited app',
  'app.secret.regenerate': 'Regenerated the secret of app',
  'app.deactivate': 'Deactivated app',
  'app.reactivate': 'Reactivated app',
  'user.create': 'Created user',
  'user.update': 'Edited user',
  'user.disable': 'Disabled user',
  'user.enable': 'Enabled user',
  'app.api-key.issue': 'Issued an API key for app',
  'app.api-key.rotate': 'Rotated the API key of app',
  'app.api-key.revoke': 'Revoked the API key of app',
  'role.create': 'Created role',
  'role.update': 'Edited role',
  'role.delete': 'Deleted role',
  'key.rotate': 'Rotated the signing key',
};

/** The known actions, for the filter's list. */
export const KNOWN_ACTIONS = Object.keys(WORDS);

export function actionInWords(action: string): string {
  if (Object.hasOwn(WORDS, action)) return WORDS[action];
  const words = action.split(/[._-]+/).filter(Boolean).join(' ');
  return words ? words[0].toUpperCase() + words.slice(1) : action;
}

/** "Edited app Billing (name, redirectUris)": what happened, to what, which fields. */
export function entryInWords(e: AuditEntry): string {
  const changed = e.changed?.length ? ` (${e.changed.join(', ')})` : '';
  return `${actionInWords(e.action)} ${e.target.name ?? e.target.id}${changed}`;
}
