import http from 'node:http';

/**
 * The sample protected API that `npm start` runs behind the gateway. It answers every request
 * with what it received, so a newcomer sees the guard's work: the method, the path, and the
 * identity headers the gateway added (and that nothing the caller sent survived).
 */
export function startEchoUpstream(port: number, host = '127.0.0.1', headerPrefix = 'x-portcullis-'): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const identity: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (name.startsWith(headerPrefix) && typeof value === 'string') identity[name] = value;
    }
    const body = JSON.stringify({
      upstream: 'echo',
      method: req.method,
      path: req.url,
      identity,
      authorization_forwarded: req.headers.authorization !== undefined,
    });
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}
