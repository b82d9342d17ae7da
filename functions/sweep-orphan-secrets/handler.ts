import { runtimeDependencies } from '../../shared/composition/runtime-dependencies.ts';
import { sweepOrphanSecrets } from '../../shared/use-cases/secret-cleanup.ts';

const deps = runtimeDependencies();

/** Run on a schedule (EventBridge rule in the CDK stack). */
export const handler = async () => sweepOrphanSecrets(deps);
