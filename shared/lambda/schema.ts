import * as z from 'zod/mini';
import { type FieldIssue, validationFailed } from '../errors/app-error.ts';
import { humanMessage } from '../errors/validation-messages.ts';
import { textIssues } from './input-text.ts';

// zod/mini ships no messages until configured; this map is the only "locale" the service needs.
z.config({ localeError: humanMessage });

const pathOf = (path: readonly PropertyKey[]): string =>
  path.length === 0 ? '(body)' : path.map(String).join('.');

/** Parses input or throws a 400 listing every problem; messages name fields, never echo values. */
export const parseInput = <S extends z.core.$ZodType>(schema: S, input: unknown): z.output<S> => {
  const unsafe = textIssues(input);
  if (unsafe.length > 0) throw validationFailed(unsafe);
  const result = z.safeParse(schema, input);
  if (result.success) return result.data;
  const issues: FieldIssue[] = result.error.issues.map((issue) => ({
    path: pathOf(issue.path),
    message: issue.message,
  }));
  throw validationFailed(issues);
};

// Each shared schema is a pure expression (`/* @__PURE__ */` on a function that builds it), so the
// bundler drops those a function never parses: built at module load, an unused one still costs
// every cold start (a method call such as `.check()` is otherwise kept as a possible side effect).

export const limitSchema = /* @__PURE__ */ (() =>
  z.optional(
    z
      .pipe(
        z.union([z.string().check(z.regex(/^\d{1,3}$/, 'must be from 1 to 100')), z.int()]),
        z.transform((value) => Number(value)),
      )
      .check(z.refine((value: number) => value >= 1 && value <= 100, 'must be from 1 to 100')),
  ))();

export const cursorSchema = /* @__PURE__ */ (() =>
  z.optional(z.string().check(z.minLength(1), z.maxLength(1024))))();

export const credentialIdSchema = /* @__PURE__ */ (() =>
  z.string().check(z.minLength(1), z.maxLength(200)))();
export const flowIdSchema = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')))();
/** A step of a flow, named as a flow is. */
export const stepIdSchema = /* @__PURE__ */ (() =>
  z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -')))();
export const componentIdSchema = /* @__PURE__ */ (() => z.string().check(z.minLength(1), z.maxLength(64)))();
/** A credential's name, and the start of one to search for: one line, at most 200 characters. */
export const nameTextSchema = /* @__PURE__ */ (() =>
  z.string().check(
    z.minLength(1),
    z.maxLength(200),
    // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point.
    z.regex(/^[^\u0000-\u001f\u007f]*$/, 'must be one line without control characters'),
  ))();
export const nameSchema = /* @__PURE__ */ (() => z.nullable(nameTextSchema))();
export const fieldsSchema = /* @__PURE__ */ (() =>
  z.record(z.string().check(z.maxLength(64)), z.unknown()))();
export const versionSchema = /* @__PURE__ */ (() =>
  z.int().check(z.gte(1, 'must be a version number from 1')))();
/** A version a write is conditional on: one number (direct callers) or what If-Match carried. */
export const versionConditionSchema = /* @__PURE__ */ (() =>
  z.union([
    versionSchema,
    z.literal('*'),
    z.array(versionSchema).check(z.maxLength(20, 'at most 20 versions')),
  ]))();
