import type { OpenAPIV3, OpenAPIV3_1 } from 'openapi-types';

/** An OpenAPI 3.0 or 3.1 document with every `$ref` resolved. */
export type OpenApiDocument = OpenAPIV3.Document | OpenAPIV3_1.Document;

/**
 * Reads `file` (YAML or JSON), resolves its `$ref`s (in the file, or in files next to it; not URLs)
 * and validates it against the OpenAPI schema, with Swagger Parser. Returns why not instead of
 * the document when it cannot be read, is invalid, or is not OpenAPI 3.0 or 3.1 (Swagger 2.0
 * has no `components.securitySchemes`, and its rules would read differently).
 */
export async function loadOpenApiDocument(file: string): Promise<{ document: OpenApiDocument } | { problem: string }> {
  let document: unknown;
  try {
    // Files only: start-up must not hang on (or be steered by) a remote server; bundle such a document first.
    // Loaded only for an application that names a document: every CLI command opens the runtime.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const SwaggerParser = require('@apidevtools/swagger-parser') as typeof import('@apidevtools/swagger-parser');
    document = await new SwaggerParser().validate(file, { resolve: { http: false } });
  } catch (err) {
    // Swagger Parser puts one schema error a line under its headline: keep them on one line.
    const lines = (err instanceof Error ? err.message : String(err)).split('\n').map((l) => l.trim()).filter(Boolean);
    const message = lines.slice(0, 6).join('; ') + (lines.length > 6 ? `; and ${lines.length - 6} more` : '');
    return { problem: /ENOENT|EACCES|EISDIR|Error opening file/i.test(message) ? `cannot read the document: ${message}` : `not a valid OpenAPI document: ${message}` };
  }
  const version = (document as { openapi?: unknown }).openapi;
  if (typeof version !== 'string' || !/^3\.[01]\./.test(version)) {
    return { problem: `not an OpenAPI 3.0 or 3.1 document (${typeof version === 'string' ? `openapi: ${version}` : 'Swagger 2.0 or unknown'}); convert it to OpenAPI 3` };
  }
  return { document: document as OpenApiDocument };
}
