import { html } from './html';
import { layout } from './layout';

export interface ConsentPageModel {
  csrf: string;
  interaction: string;
  appName: string;
  userLabel: string;
  userDetail?: string;
  scopes: string[];
}

const DESCRIPTIONS: Record<string, string> = {
  openid: 'Know who you are (your account identifier)',
  profile: 'See your name and username',
  email: 'See your email address',
  offline_access: 'Stay connected when you are not using it (refresh tokens)',
  'portcullis:admin': 'Administer Portcullis (apps, users, keys) with your admin role',
};

/** The consent screen: the app's name, the signed-in user, and what is asked. */
export function consentPage(m: ConsentPageModel): string {
  const asked = m.scopes.length ? m.scopes : ['access the API with your roles'];
  return layout('Allow access?', html`
<h1><span id="app-name">${m.appName}</span> wants to access your account</h1>
<p>Signed in as <strong id="user-identity">${m.userLabel}</strong>${m.userDetail ? html` <span class="muted">(${m.userDetail})</span>` : ''}.</p>
<p>If you allow it, <strong>${m.appName}</strong> will be able to:</p>
<ul class="scopes">
  ${asked.map((s) => html`<li>${DESCRIPTIONS[s] ?? (m.scopes.length ? `Use the permission ${s}` : s)}</li>`)}
</ul>
<form method="post" action="/oauth2/consent">
  <input type="hidden" name="csrf_token" value="${m.csrf}">
  <input type="hidden" name="interaction" value="${m.interaction}">
  <div class="actions">
    <button type="submit" name="decision" value="allow" id="allow">Allow</button>
    <button type="submit" name="decision" value="deny" id="deny" class="secondary">Deny</button>
  </div>
</form>
<form method="post" action="/logout" class="actions">
  <input type="hidden" name="csrf_token" value="${m.csrf}">
  <button type="submit" class="secondary">Not you? Sign out</button>
</form>`);
}
