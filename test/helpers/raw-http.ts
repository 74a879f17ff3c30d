import http from 'node:http';

/** A response as the wire carried it. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every header line, names and values, as one text (to search for leaks). */
  rawHeaders: string;
  text: string;
}

/**
 * Sends a request through node:http exactly as given: the path is not normalised or re-encoded
 * (`/echo/%zz` and absolute-form targets go out as they are), repeated header names are separate lines.
 */
export function rawRequest(baseUrl: string, method: string, path: string, headers: Array<[string, string]> = []): Promise<RawResponse> {
  const { hostname, port } = new URL(baseUrl);
  const grouped = new Map<string, string[]>();
  for (const [name, value] of headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: hostname, port, method, path, agent: false });
    for (const [name, values] of grouped) req.setHeader(name, values.length === 1 ? values[0] : values);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, rawHeaders: res.rawHeaders.join('\n'), text }));
    });
    req.on('error', reject);
    req.end();
  });
}
