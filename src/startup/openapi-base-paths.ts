import type { OpenAPIV3 } from 'openapi-types';

/**
 * The base paths an operation is served under, from the `servers` that apply to it (its own, its
 * path item's, or the document's): `https://api.example.com/v1` gives `/v1`, a relative `/v1`
 * gives `/v1`, no servers (or only `/`) give `` (the paths as written). Server variables take
 * each of their `enum` values (each is a base path) or their `default`. Without a trailing slash,
 * so `/v1` + `/pets` is `/v1/pets`.
 */
export function serverBasePaths(servers: readonly OpenAPIV3.ServerObject[] | undefined): string[] {
  if (!servers?.length) return [''];
  const bases = servers.flatMap((server) => expandVariables(server).map(pathOf));
  return [...new Set(bases)];
}

/** `basePath` of the settings, read the same way (`/` is the root). */
export function normaliseBasePath(basePath: string): string {
  return basePath.replace(/\/+$/, '');
}

function expandVariables(server: OpenAPIV3.ServerObject): string[] {
  let urls = [server.url];
  for (const [name, variable] of Object.entries(server.variables ?? {})) {
    const values = variable.enum?.length ? variable.enum.map(String) : [String(variable.default)];
    urls = urls.flatMap((url) => values.map((value) => url.split(`{${name}}`).join(value)));
  }
  // An undeclared variable would end up percent-encoded in a base path no request can have.
  const left = /\{[^{}]*\}/.exec(urls[0]);
  if (left) throw new Error(`${server.url} uses ${left[0]}, which its variables do not declare`);
  return urls;
}

/** The path of a server URL, absolute (`https://host/v1`) or relative to the document (`/v1`, `v1`). */
function pathOf(url: string): string {
  const path = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) ? new URL(url).pathname : new URL(url, 'http://relative.invalid/').pathname;
  return normaliseBasePath(path);
}
