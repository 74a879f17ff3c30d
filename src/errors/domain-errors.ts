import { excerpt } from './error-description';

/**
 * Errors of the management side (CLI, admin API): each has a stable code and, for invalid input,
 * the field at fault. errors/classify-error.ts gives each its status on the admin API and pages
 * (404, 403, 409, 422); the CLI prints them and exits non-zero.
 */
export class DomainError extends Error {
  constructor(readonly code: string, message: string, readonly field?: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Input that breaks a rule: names the field. */
export class ValidationError extends DomainError {
  constructor(field: string, message: string) {
    super('invalid_field', message, field);
  }
}

/** The thing asked for does not exist. */
export class NotFoundError extends DomainError {
  constructor(what: string, id: string) {
    // The id comes from the request: named only when it is a plain token (never raw input).
    super('not_found', excerpt(id) ? `${what} ${JSON.stringify(id)} does not exist` : `this ${what} does not exist`);
  }
}

/** The change conflicts with the current state (a concurrent edit, a duplicate). */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('conflict', message);
  }
}
