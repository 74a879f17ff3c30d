import { ValidationError } from '../errors/domain-errors';

export const PASSWORD_MIN_LENGTH = 10;
export const PASSWORD_MAX_LENGTH = 1024;

/**
 * The password rule, the one place it is written: the registry, the admin area and API, the CLI
 * and the check of the bootstrap admin's environment all call it. Only length: a long passphrase
 * beats composition rules (NIST SP 800-63B §5.1.1); the upper bound caps the cost of hashing.
 */
export function checkPassword(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length < PASSWORD_MIN_LENGTH || value.length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError('password', `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
  }
}
