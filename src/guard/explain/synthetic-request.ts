import type { IncomingMessage } from 'node:http';
import type { ExplainInput } from './explain-check';

/**
 * The request `portcullis explain` describes, as the guard's middleware would receive it: the
 * guard then runs on it for real, and the report shows the guard's own answer beside the steps.
 */
export function syntheticRequest(input: ExplainInput, apiKeyHeader?: string): IncomingMessage {
  const headers: Record<string, string> = { authorization: `Bearer ${input.token}` };
  if (apiKeyHeader && input.apiKey !== undefined) headers[apiKeyHeader] = input.apiKey;
  return { method: input.method.toUpperCase(), url: input.path, headers, rawHeaders: Object.entries(headers).flat() } as unknown as IncomingMessage;
}
