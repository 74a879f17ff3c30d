import type { TrustedIssuerSettings } from '../config/trusted-issuer-settings';
import { fetchJson, RemoteUnavailable } from './fetch-json';

/** What the guard needs from an issuer's metadata. */
export interface IssuerEndpoints {
  jwksUri?: string;
  introspectionEndpoint?: string;
}

/**
 * Where an issuer's metadata is: `metadataUrl` if set, else OpenID Connect Discovery 1.0 §4
 * (`<issuer>/.well-known/openid-configuration`), then RFC 8414 §3 (the well-known segment goes
 * between host and path: `https://host/.well-known/oauth-authorization-server/tenant`).
 */
export function metadataUrls(settings: Pick<TrustedIssuerSettings, 'issuer' | 'metadataUrl'>): string[] {
  if (settings.metadataUrl) return [settings.metadataUrl];
  // Both: a terminating `/` of the issuer (Auth0's `https://tenant.auth0.com/`) is removed first.
  const base = settings.issuer.replace(/\/$/, '');
  const url = new URL(base);
  const path = url.pathname === '/' ? '' : url.pathname;
  return [`${base}/.well-known/openid-configuration`, `${url.origin}/.well-known/oauth-authorization-server${path}`];
}

/**
 * The issuer's endpoints: those set in the settings win; the rest come from its metadata, whose
 * `issuer` must be exactly the configured one (RFC 8414 §3.3, OIDC Discovery §4.3: otherwise an
 * attacker's metadata could name its own keys). No metadata is fetched when the settings name
 * every endpoint needed.
 */
export async function resolveEndpoints(settings: TrustedIssuerSettings, timeoutMs: number): Promise<IssuerEndpoints> {
  const wanted: IssuerEndpoints = { jwksUri: settings.jwksUri, introspectionEndpoint: settings.introspection?.endpoint };
  const needsMetadata = !wanted.jwksUri || (settings.introspection && !wanted.introspectionEndpoint);
  if (!needsMetadata) return wanted;
  const failures: string[] = [];
  for (const url of metadataUrls(settings)) {
    let metadata: Record<string, unknown>;
    try {
      metadata = await fetchJson(url, timeoutMs);
    } catch (err) {
      failures.push((err as Error).message);
      continue;
    }
    if (metadata.issuer !== settings.issuer) throw new RemoteUnavailable(`${url} names issuer ${JSON.stringify(metadata.issuer)}, not ${settings.issuer}`);
    const text = (v: unknown) => (typeof v === 'string' && /^https?:\/\//.test(v) ? v : undefined);
    return {
      jwksUri: wanted.jwksUri ?? text(metadata.jwks_uri),
      introspectionEndpoint: wanted.introspectionEndpoint ?? text(metadata.introspection_endpoint),
    };
  }
  // Every place tried, for the log: the first failure is usually the telling one.
  throw new RemoteUnavailable(`no metadata for ${settings.issuer}: ${failures.join('; ')}`);
}
