import type * as z from 'zod/mini';
import type { Actor } from '../domain/actor.ts';
import type { UseCaseDependencies } from '../use-cases/use-case-dependencies.ts';
import type { HttpRequest } from './http-request.ts';
import type { HttpResult } from './http-response.ts';
import type { Scope } from './scopes.ts';

/**
 * One credential operation, independent of how it is invoked. The same `input` schema validates an
 * HTTPS request (after `fromHttp` gathers path, query, headers and body) and a direct invocation's
 * `input`, so both callers get the same rules.
 */
export interface Operation<
  S extends z.core.$ZodType = z.core.$ZodType,
  Output = unknown,
  Deps = UseCaseDependencies,
> {
  readonly name: string;
  /** The scope an HTTPS caller's token needs. Direct invocations are authorised by IAM instead. */
  readonly scope: Scope;
  readonly input: S;
  // Method signatures (not function properties) so any operation fits the erased `Operation` type.
  fromHttp(request: HttpRequest): unknown;
  /** `Deps` names the ports the operation uses: each entry composes exactly those. */
  execute(deps: Deps, actor: Actor, input: z.output<S>): Promise<Output>;
  toHttp(output: Output): HttpResult;
  /** What a direct caller receives; defaults to the output itself. */
  toDirect?(output: Output): unknown;
}

export const defineOperation = <S extends z.core.$ZodType, Output, Deps = UseCaseDependencies>(
  operation: Operation<S, Output, Deps>,
): Operation<S, Output, Deps> => operation;

/** The ports a use case takes (its first parameter), to declare an operation's `Deps` from it. */
export type PortsOf<UseCase extends (deps: never, ...rest: never[]) => unknown> = Parameters<UseCase>[0];
