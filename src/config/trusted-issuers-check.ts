import { joinPath, type ConfigSite } from './schema-errors';
import type { PortcullisSettings } from './settings-types';

/**
 * What the schema cannot say about `trustedIssuers` and the applications that name them: each
 * issuer once, never Portcullis itself (its own tokens keep their own path), every name an
 * application lists declared, and at most one issuer per application that introspects opaque
 * tokens (an opaque token does not say where it comes from, so there must be one place to ask).
 */
export function checkTrustedIssuers(settings: PortcullisSettings, site: ConfigSite): string[] {
  const problems: string[] = [];
  const at = (index: number) => `${site.file}: ${joinPath(site.at, 'trustedIssuers')}[${index}].issuer`;
  const declared = new Map<string, PortcullisSettings['trustedIssuers'][number]>();
  settings.trustedIssuers.forEach((trusted, index) => {
    if (trusted.issuer === settings.issuer) problems.push(`${at(index)}: is this Portcullis's own issuer, whose tokens are always accepted`);
    else if (declared.has(trusted.issuer)) problems.push(`${at(index)}: ${JSON.stringify(trusted.issuer)} is declared twice`);
    declared.set(trusted.issuer, trusted);
  });
  for (const [name, app] of Object.entries(settings.applications)) {
    const appAt = joinPath(joinPath(site.at, 'applications'), name);
    const introspecting = app.trustedIssuers.filter((issuer) => declared.get(issuer)?.introspection);
    app.trustedIssuers.forEach((issuer, index) => {
      if (!declared.has(issuer)) problems.push(`${site.file}: ${appAt}.trustedIssuers[${index}]: ${JSON.stringify(issuer)} is not declared in ${site.at}.trustedIssuers`);
    });
    if (introspecting.length > 1) {
      problems.push(`${site.file}: ${appAt}.trustedIssuers: at most one issuer with introspection per application (an opaque token does not name its issuer); got ${introspecting.join(', ')}`);
    }
  }
  return problems;
}
