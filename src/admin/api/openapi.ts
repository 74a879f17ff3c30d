import type { OpenAPIV3_1 } from 'openapi-types';
import { ADMIN_ROUTES } from './routes';

/** The product's one error body (docs/errors.md), as every endpoint, the guard and this API send it. */
const ERROR_SCHEMA: OpenAPIV3_1.SchemaObject = {
  type: 'object',
  required: ['error', 'error_description', 'request_id'],
  properties: {
    error: { type: 'string', description: 'Stable code: unauthorized, invalid_token, invalid_request, forbidden, csrf, not_found, conflict, invalid_field, invalid_json, temporarily_unavailable, server_error' },
    error_description: { type: 'string', description: 'For people; do not parse it' },
    field: { type: 'string', description: 'The field at fault (invalid_field); the first one when several are' },
    fields: {
      type: 'array',
      description: 'Every problem when several fields are at fault (invalid_field), one entry per problem',
      items: { type: 'object', required: ['field', 'error_description'], properties: { field: { type: 'string' }, error_description: { type: 'string' } } },
    },
    request_id: { type: 'string', description: 'The same value as the X-Request-Id header; quote it when you report a problem' },
  },
};

const errorResponse = (description: string): OpenAPIV3_1.ResponseObject => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

/** The OpenAPI 3.1 document of the admin REST API, built from the same route table as the router. */
export function openApiDocument(issuer: string): OpenAPIV3_1.Document {
  const paths: OpenAPIV3_1.PathsObject = {};
  for (const route of ADMIN_ROUTES) {
    const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
    const operation: OpenAPIV3_1.OperationObject = {
      summary: route.summary,
      operationId: `${route.method}${route.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
      responses: {
        [route.status]: { description: 'Success', content: { 'application/json': { schema: { type: 'object' } } } },
        400: errorResponse('Malformed path or bearer credentials (invalid_request), or a body that is not a JSON object (invalid_json)'),
        401: errorResponse('No valid session or bearer token'),
        403: errorResponse('Not an admin, missing admin power, or bad CSRF token'),
        ...(params.length ? { 404: errorResponse(`Unknown ${params.join(' or ')}`) } : {}),
        ...(route.method !== 'get' ? { 409: errorResponse('Conflict'), 422: errorResponse('Invalid field') } : {}),
      },
    };
    const query = Object.entries(route.query ?? {}).map(([name, q]): OpenAPIV3_1.ParameterObject => ({ name, in: 'query', required: false, description: q.description, schema: { type: q.type as 'string' } }));
    if (params.length || query.length) {
      operation.parameters = [...params.map((name): OpenAPIV3_1.ParameterObject => ({ name, in: 'path', required: true, schema: { type: 'string' } })), ...query];
    }
    if (route.body) {
      const required = Object.entries(route.body).filter(([, f]) => f.required).map(([name]) => name);
      operation.requestBody = {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              ...(route.method === 'post' && required.length ? { required } : {}),
              properties: Object.fromEntries(Object.entries(route.body).map(([name, f]) => [name, { type: f.type as 'string', description: f.description }])),
            },
          },
        },
      };
    }
    paths[route.path] = { ...(paths[route.path] ?? {}), [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Portcullis admin API', version: '1.0.0', description: 'Everything the admin pages do. Authenticate with an admin session (plus X-CSRF-Token on changes) or a bearer token of this issuer whose subject holds an admin role: a service client created with an admin role (client_credentials), or a user whose token was granted the portcullis:admin scope.' },
    servers: [{ url: `${issuer}/admin/api/v1` }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        session: { type: 'apiKey', in: 'cookie', name: 'portcullis_session' },
      },
      schemas: { Error: ERROR_SCHEMA },
    },
    paths,
  };
}
