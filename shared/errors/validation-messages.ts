import type * as z from 'zod/mini';

const KIND: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
  null: 'null',
};

const listOf = (values: readonly unknown[]): string =>
  values.map((value) => JSON.stringify(value)).join(', ');

const sizeOf = (origin: string, count: number | bigint): string =>
  origin === 'string'
    ? `${count} character${count === 1 ? '' : 's'}`
    : origin === 'array' || origin === 'set'
      ? `${count} item${count === 1 ? '' : 's'}`
      : String(count);

/**
 * Messages written for the person reading the 400: what the field must be, never the input value
 * (it may be a secret) and never a raw regular expression. A schema's own message wins over these.
 * It replaces zod's English locale, which says "Invalid string: must match pattern /^…$/".
 */
export const humanMessage = (issue: z.core.$ZodRawIssue): string => {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'is required' : `must be ${KIND[issue.expected] ?? issue.expected}`;
    case 'too_small':
      if (issue.origin === 'string' && Number(issue.minimum) === 1) return 'must not be empty';
      if (issue.origin === 'array' && Number(issue.minimum) === 1) return 'must not be empty';
      return issue.origin === 'number' || issue.origin === 'int'
        ? `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}`
        : `must be at least ${sizeOf(issue.origin, issue.minimum)}`;
    case 'too_big':
      return issue.origin === 'number' || issue.origin === 'int'
        ? `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}`
        : `must be at most ${sizeOf(issue.origin, issue.maximum)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `must be ${JSON.stringify(issue.values[0])}`
        : `must be one of ${listOf(issue.values)}`;
    case 'invalid_format':
      return issue.format === 'regex' ? 'has an invalid format' : `must be a valid ${issue.format}`;
    case 'unrecognized_keys':
      return `unknown field(s): ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return 'does not match any accepted form';
    case 'invalid_key':
      return 'has an invalid key';
    case 'not_multiple_of':
      return `must be a multiple of ${issue.divisor}`;
    default:
      return 'is not valid';
  }
};
