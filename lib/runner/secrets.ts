/**
 * Secrets of one run (passwords of the lab's users, the class cluster's
 * password): they are blanked out of everything the runner shows or writes,
 * whatever the student's code printed or threw.
 */
import type { FailureDetails } from './failure.ts';

const BLANK = '••••••';

export class Secrets {
  private readonly values = new Set<string>();

  /**
   * Registers a secret and returns it. Strings under 4 characters are not
   * registered: blanking them would blank ordinary words (and they hide nothing).
   */
  add<T extends string | undefined>(value: T): T {
    if (value !== undefined && value.length >= 4) this.values.add(value);
    return value;
  }

  redact(text: string): string;
  redact(text: string | undefined): string | undefined;
  redact(text: string | undefined): string | undefined {
    if (text === undefined) return text;
    let out = text;
    for (const value of this.values) out = out.split(value).join(BLANK);
    return out;
  }

  /** Blanks secrets in every string inside a failure's details (expected/actual may be any value). */
  redactDetails(details: FailureDetails | undefined): FailureDetails | undefined {
    if (!details || this.values.size === 0) return details;
    try {
      return JSON.parse(JSON.stringify(details), (_key, value: unknown) => (typeof value === 'string' ? this.redact(value) : value)) as FailureDetails;
    } catch {
      const text = (value: unknown) => (typeof value === 'string' ? this.redact(value) : value);
      return { expected: text(details.expected), actual: text(details.actual), explain: this.redact(details.explain) };
    }
  }
}
