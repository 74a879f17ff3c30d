import { ValidationError } from '../../errors/domain-errors';
import { isAdminRole, type AdminRole } from '../../users/user';
import { excerpt } from '../../errors/error-description';

type Body = Record<string, unknown>;

/** An optional string field; wrong type is a 422 naming the field. */
export function optionalString(body: Body, field: string): string | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw new ValidationError(field, `${field} must be a string`);
  return value;
}

export function requiredString(body: Body, field: string): string {
  const value = optionalString(body, field);
  if (value === undefined) throw new ValidationError(field, `${field} is required`);
  return value;
}

/** An optional list of strings. */
export function optionalStrings(body: Body, field: string): string[] | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new ValidationError(field, `${field} must be a list of strings`);
  return value;
}

/** Roles per application: `{ "echo": ["echo-reader"] }`. */
export function optionalRoleMap(body: Body, field: string): Record<string, string[]> | undefined {
  const value = body[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ValidationError(field, `${field} must be an object of application: [roles]`);
  for (const list of Object.values(value)) {
    if (!Array.isArray(list) || !list.every((v) => typeof v === 'string')) throw new ValidationError(field, `${field} must be an object of application: [roles]`);
  }
  return value as Record<string, string[]>;
}

/** `admin_role`: admin, super-admin, or null to remove. */
export function optionalAdminRole(body: Body, field = 'admin_role'): AdminRole | null | undefined {
  const value = body[field];
  if (value === undefined || value === null) return value as null | undefined;
  if (!isAdminRole(value)) throw new ValidationError(field, `${field} must be admin, super-admin or null`);
  return value;
}

/** Fields not in `allowed` are refused, so a typo does not silently do nothing. */
export function onlyFields(body: Body, allowed: string[]): void {
  for (const key of Object.keys(body)) {
    // A key is request input: named only when it is a plain token.
    if (!allowed.includes(key)) throw excerpt(key) ? new ValidationError(key, `unknown field ${key}`) : new ValidationError('body', 'the body has a field with an unusable name');
  }
}
