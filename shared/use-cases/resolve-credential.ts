import type { Actor } from '../domain/actor.ts';
import {
  type StepCredential,
  type StepCredentialDependencies,
  type StepInput,
  useStepCredential,
} from './step-credential.ts';

/**
 * The only path by which secret values leave the service: a workflow step, in an active flow,
 * asking for the credential that step uses. The audit record says `granted` (or `cache`, from this
 * container's warm copy) only once there is something to hand out, in the conditional write that
 * re-authorizes; a refused call reads no secret and is recorded as `refused:<code>`.
 */
export const resolveCredential = (
  deps: StepCredentialDependencies,
  actor: Actor,
  input: StepInput,
): Promise<StepCredential> =>
  useStepCredential(deps, actor, input, 'resolved', (cached) => ({ detail: cached ? 'cache' : 'granted' }));
