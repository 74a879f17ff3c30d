/** One-off requests for set-up and sanity checks (no keep-alive pool lingering during measurements). */
export interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> | undefined;
}

export async function request(url: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const res = await fetch(url, { method: init.method ?? 'GET', headers: { connection: 'close', ...init.headers }, body: init.body, signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json };
}

/** RFC 6749 §2.3.1: client_secret_basic, id and secret form-encoded before base64. */
export function basicAuth(id: string, secret: string): string {
  const form = (s: string) => encodeURIComponent(s).replace(/%20/g, '+');
  return `Basic ${Buffer.from(`${form(id)}:${form(secret)}`).toString('base64')}`;
}

export const FORM = 'application/x-www-form-urlencoded';

export function formBody(params: Record<string, string>): string {
  return new URLSearchParams(params).toString();
}
