import type autocannon from 'autocannon';

/**
 * One autocannon request whose `setupRequest` hands out the next of `tokens` on every request,
 * shared by all connections, so consecutive requests carry distinct tokens (cold cache) when
 * there are many. Warm runs go through it too, with a list of one, so that warm and cold runs
 * cost the load generator the same (autocannon rebuilds a request that has a `setupRequest`
 * every time, but sends a static one from a prebuilt buffer).
 */
export function rotatingRequest(path: string, tokens: readonly string[], extraHeaders: Record<string, string> = {}): autocannon.Request {
  if (!tokens.length) throw new Error(`no tokens to send to ${path}`);
  const list = tokens.map((t) => `Bearer ${t}`);
  let next = 0;
  const setupRequest = (req: autocannon.Request): autocannon.Request => {
    const authorization = list[next];
    next = (next + 1) % list.length;
    return { ...req, headers: { authorization, ...extraHeaders } };
  };
  return { method: 'GET', path, setupRequest };
}
