import type { Context } from 'aws-lambda';
import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { sweepSecrets } from '../../shared/use-cases/secret-cleanup.ts';

const deps = runtimeDependencies();
/** Stops this long before Lambda would, so the position is saved for the next run. */
const MARGIN_MS = 15_000;

/** Run on a schedule (EventBridge rule in the CDK stack); each run resumes where the last stopped. */
export const handler = async (_event: unknown, context: Context) =>
  sweepSecrets(deps, Date.now() + context.getRemainingTimeInMillis() - MARGIN_MS);
