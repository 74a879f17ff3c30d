import type { Request, Response } from 'express';
import { AccessDenied } from '../../errors/oauth-errors';
import { readForm } from '../../http/read-form';
import { consentPage } from '../../pages/consent-page';
import { problemPage } from '../../pages/message-page';
import { sendPage } from '../../pages/security-headers';
import { expired, failBack, formTargets, issueCode } from './continue-authorization';
import type { InteractiveDeps } from './interactive-deps';

/** The pending request of this interaction, if the signed-in user is the one it belongs to. */
async function load(deps: InteractiveDeps, req: Request, interaction: string | undefined) {
  const pending = await deps.pending.load(interaction);
  const session = await deps.sessions.read(req);
  if (!pending || !session || pending.userId !== session.userId) return undefined;
  return { pending, session, id: interaction! };
}

/** `GET /oauth2/consent`: the app's name, the signed-in user, what is asked; Allow or Deny. */
export function consentForm(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const interaction = typeof req.query.interaction === 'string' ? req.query.interaction : undefined;
    const found = await load(deps, req, interaction);
    if (!found) return expired(res);
    const [client, user] = await Promise.all([deps.clients.find(found.pending.clientId), deps.users.find(found.session.userId)]);
    if (!client || !user) return expired(res);
    const page = consentPage({
      csrf: deps.csrf.token(req, res),
      interaction: found.id,
      appName: client.name,
      userLabel: user.name || user.username,
      userDetail: user.email ?? (user.name ? user.username : undefined),
      scopes: found.pending.scopes,
    });
    sendPage(res, 200, page, formTargets(found.pending));
  };
}

/** `POST /oauth2/consent`: Allow remembers the consent and issues the code; Deny is access_denied. */
export function consentSubmit(deps: InteractiveDeps) {
  return async (req: Request, res: Response): Promise<void> => {
    const form = await readForm(req);
    if (!deps.csrf.verify(req, form.get('csrf_token'))) {
      return sendPage(res, 403, problemPage({ title: 'Request refused', message: 'Your session expired before you answered.', hint: 'Go back to the app and start again.', code: 'invalid_csrf' }));
    }
    const found = await load(deps, req, form.get('interaction'));
    if (!found) return expired(res);
    const decision = form.get('decision');
    if (decision === 'deny') return failBack(res, found.id, found.pending, new AccessDenied('the user denied access'), deps);
    if (decision !== 'allow') return sendPage(res, 400, problemPage({ title: 'Request refused', message: 'Choose Allow or Deny.', hint: 'Go back to the app and start again.', code: 'invalid_request' }));
    await deps.consents.grant(found.session.userId, found.pending.clientId, found.pending.scopes);
    await issueCode(res, found.id, found.session.authTime, found.session.userId, deps);
  };
}

