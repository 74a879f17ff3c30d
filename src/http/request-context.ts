import type { IncomingMessage, ServerResponse } from 'node:http';
import { logAccess } from './access-log';
import { setClientAddress } from './peer-address';
import { assignRequestId } from './request-id';
import { TrustedProxies, type ForwardedHeader, type TrustedProxiesSetting } from './trusted-proxies';

/** The settings the request context reads (see settings.schema.json). */
export interface RequestContextSettings {
  trustedProxies: TrustedProxiesSetting;
  forwardedHeader: ForwardedHeader;
  accessLog: { enabled: boolean; destination: 'stdout' | 'stderr' };
}

export type ContextMiddleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

const WRITERS = {
  stdout: (line: string) => process.stdout.write(line + '\n'),
  stderr: (line: string) => process.stderr.write(line + '\n'),
};

/**
 * The first middleware of the gateway (and of a plain Express app that uses the guard): decides
 * once per request who the client is (trusted proxies), the request id (kept only from a trusted
 * proxy, sent upstream and in the response), and starts the access log line if it is on.
 */
export function requestContext(settings: RequestContextSettings, write?: (line: string) => void): ContextMiddleware {
  const proxies = new TrustedProxies(settings.trustedProxies, settings.forwardedHeader);
  const writer = write ?? WRITERS[settings.accessLog.destination];
  return (req, res, next) => {
    const client = proxies.resolve(req);
    setClientAddress(req, client.address);
    assignRequestId(req, res, client.peerTrusted);
    if (settings.accessLog.enabled) logAccess(req, res, client.proto, writer);
    next();
  };
}
