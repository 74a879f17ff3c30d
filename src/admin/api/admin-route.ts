import type { Request, Response } from 'express';
import type { PortcullisSettings } from '../../config/settings';
import type { Csrf } from '../../http/csrf';
import type { Actor } from '../admin-authorization';
import type { AdminService } from '../admin-service';

/** What the routes use: the admin operations, the session's CSRF token, the declared applications. */
export interface AdminRouteDeps {
  admin: AdminService;
  csrf: Pick<Csrf, 'token'>;
  settings: Pick<PortcullisSettings, 'applications'>;
}

/** One route of the admin REST API: the router and the OpenAPI document are both built from these. */
export interface AdminRoute {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI-style path under /admin/api/v1, e.g. `/apps/{id}`. */
  path: string;
  summary: string;
  /** Request body fields (for the OpenAPI document). */
  body?: Record<string, { type: string; description: string; required?: boolean }>;
  /** Query parameters (for the OpenAPI document). */
  query?: Record<string, { type: string; description: string }>;
  /** Status of a successful answer. */
  status: 200 | 201;
  handle(p: AdminRouteDeps, actor: Actor, req: Request, res: Response): Promise<unknown>;
}
