import type { Request, Response } from 'express';
import { classifyError } from '../../errors/classify-error';
import { DomainError } from '../../errors/domain-errors';
import type { PortcullisSettings } from '../../config/settings';
import type { Csrf } from '../../http/csrf';
import type { Logger } from '../../logging/logger';
import type { ActorDeps } from '../admin-actor';
import type { Actor } from '../admin-authorization';
import type { AdminService } from '../admin-service';
import type { SecretReveal } from './secret-reveal';

/** What the admin pages use: who calls, the admin operations, CSRF, the secret shown once, the logger. */
export interface AdminPagesDeps extends ActorDeps {
  admin: AdminService;
  csrf: Pick<Csrf, 'token' | 'verify'>;
  secretReveal: Pick<SecretReveal, 'stash' | 'take'>;
  logger: Logger;
  settings: Pick<PortcullisSettings, 'applications' | 'issuer'>;
}

/** A signed-in admin's request to an admin page, with the form already checked for CSRF. */
export interface AdminPageContext {
  actor: Actor;
  csrf: string;
  form: URLSearchParams;
}

export type AdminPageHandler = (ctx: AdminPageContext, req: Request, res: Response) => Promise<void>;

/** What the pages router hands each area's routes: turns a page handler into an Express one. */
export type AdminPageWrap = (handler: AdminPageHandler) => (req: Request, res: Response) => Promise<void>;

/**
 * Field errors for a form shown again: a domain error as the one mapping (errors/classify-error.ts)
 * answers it, each problem next to its field (several of one field one per line: two bad
 * redirect URIs), or at the top of the form when no one field is at fault. Any other failure is
 * no form error: rethrown, for the error page.
 */
export function formErrors(err: unknown): Record<string, string> {
  if (!(err instanceof DomainError)) throw err;
  const answer = classifyError(err, { surface: 'admin-page' });
  const problems = answer.fields ?? [{ field: answer.field ?? 'form', error_description: answer.error_description }];
  const errors: Record<string, string> = Object.create(null);
  for (const p of problems) errors[p.field] = errors[p.field] ? `${errors[p.field]}\n${p.error_description}` : p.error_description;
  return errors;
}

/** `?done=` of a page an action ended on (the views show only the texts they know). */
export const doneOf = (req: Request) => (typeof req.query.done === 'string' ? req.query.done : undefined);
