/** Why a remote document could not be had: down, slow, an error status, or not the JSON expected. */
export class RemoteUnavailable extends Error {}

/** The largest metadata, JWK Set or introspection answer read (a hostile endpoint cannot fill memory). */
const MAX_BYTES = 512 * 1024;

/**
 * GETs (or POSTs) `url` and parses its JSON object, all within `timeoutMs` from the first byte
 * sent to the last byte read: a slow or trickling endpoint costs at most that, never a stalled
 * request. Anything but a 2xx JSON object is a RemoteUnavailable (never a partial answer).
 */
export async function fetchJson(url: string, timeoutMs: number, init: RequestInit = {}): Promise<Record<string, unknown>> {
  const signal = AbortSignal.timeout(timeoutMs);
  let text: string;
  try {
    const res = await fetch(url, { ...init, signal, redirect: 'error', headers: { accept: 'application/json', ...(init.headers as Record<string, string>) } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new RemoteUnavailable(`${url} answered ${res.status}`);
    }
    const length = Number(res.headers.get('content-length') ?? 0);
    if (length > MAX_BYTES) {
      await res.body?.cancel().catch(() => undefined);
      throw new RemoteUnavailable(`${url} answered more than ${MAX_BYTES} bytes`);
    }
    text = await res.text();
  } catch (err) {
    if (err instanceof RemoteUnavailable) throw err;
    throw new RemoteUnavailable(signal.aborted ? `${url} did not answer within ${timeoutMs} ms` : `${url} could not be reached (${(err as Error).message})`);
  }
  if (text.length > MAX_BYTES) throw new RemoteUnavailable(`${url} answered more than ${MAX_BYTES} bytes`);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new RemoteUnavailable(`${url} did not answer JSON`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new RemoteUnavailable(`${url} did not answer a JSON object`);
  return body as Record<string, unknown>;
}
