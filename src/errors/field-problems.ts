import { DomainError, ValidationError } from './domain-errors';

/** One field at fault and what is wrong with it (a field may appear more than once: two bad URIs). */
export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Input that breaks rules in several fields at once. A person fixing a form, or a script fixing
 * its request, sees every field to correct in one round instead of one per submit. Its `field` is
 * the first field at fault and its message names them all, so a reader of `field` alone (the
 * admin API's first version) still gets a true answer.
 */
export class InvalidFields extends DomainError {
  constructor(readonly problems: FieldProblem[]) {
    super('invalid_field', problems.map((p) => p.message).join('; '), problems[0]?.field);
  }
}

/**
 * Runs every check, keeping each one's `ValidationError` (and the problems of a nested
 * `InvalidFields`) instead of stopping at the first; throws them together. Anything other than a
 * validation error is a bug or an outage: rethrown as it is.
 */
export class FieldChecks {
  private readonly problems: FieldProblem[] = [];

  /** The check's value, or undefined when it failed (its problem is kept). */
  check<T>(run: () => T): T | undefined {
    try {
      return run();
    } catch (err) {
      if (err instanceof InvalidFields) this.problems.push(...err.problems);
      else if (err instanceof ValidationError) this.problems.push({ field: err.field ?? 'form', message: err.message });
      else throw err;
      return undefined;
    }
  }

  /** Throws every problem found so far; a single one stays a plain `ValidationError`. */
  throwIfAny(): void {
    if (this.problems.length === 1) throw new ValidationError(this.problems[0].field, this.problems[0].message);
    if (this.problems.length > 1) throw new InvalidFields([...this.problems]);
  }
}
