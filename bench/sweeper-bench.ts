import { startEmbeddedService } from '../local/embedded-service.ts';
import { seededCredential } from '../local/seeded-credential.ts';
import { credentialItem } from '../shared/adapters/dynamodb/table-layout.ts';
import { silentLogger } from '../shared/adapters/logging/json-logger.ts';
import { bindSecret } from '../shared/domain/secret-binding.ts';
import { sweepSecrets } from '../shared/use-cases/secret-cleanup.ts';
import { writeAll } from './seed.ts';

/**
 * One sweeper run over a tenant with `secretCount` secrets, half of them orphans (no item), the
 * other half with their item: the run time the Lambda timeout is sized from.
 */
export const benchSweeper = async (dynamoDbEndpoint: string, secretCount = 10_000) => {
  const service = await startEmbeddedService({
    dynamoDbEndpoint,
    tablePrefix: 'bench-sweep',
    logger: silentLogger,
    petstoreAccepts: () => true,
  });
  const tenantId = 'sweep-tenant';
  const petstore = service.deps.components.get('petstore');
  try {
    const items = [];
    for (let index = 0; index < secretCount; index++) {
      const credentialId = `01J${String(index).padStart(23, '0')}.petstore`;
      const value = bindSecret(petstore, {}, { apiKey: `k-${index}` });
      const created = service.secretsState.handle('CreateSecret', {
        Name: `${service.config.secretPrefix}/${tenantId}/${credentialId}`,
        SecretString: JSON.stringify(value),
        Tags: [
          { Key: 'tenant', Value: tenantId },
          { Key: 'credentialId', Value: credentialId },
        ],
      });
      if (index % 2 === 0) {
        items.push(
          credentialItem(
            seededCredential({
              tenantId,
              id: credentialId,
              componentId: 'petstore',
              secretVersionId: String(created.VersionId),
            }),
          ),
        );
      }
    }
    await writeAll(service.dynamoDb, service.config.tableName, items);
    service.calls.reset();
    const started = performance.now();
    const result = await sweepSecrets(
      { ...service.deps, tenantScope: tenantId, clock: { now: () => new Date(Date.now() + 20 * 60_000) } },
      Date.now() + 5 * 60_000,
    );
    const runMs = Math.round(performance.now() - started);
    return {
      secrets: secretCount,
      itemsChecked: items.length,
      orphansScheduled: result.scheduled.length,
      invalidated: result.invalidated.length,
      complete: result.complete,
      runMs,
      awsCalls: service.calls.calls.reduce<Record<string, number>>((counts, call) => {
        counts[call] = (counts[call] ?? 0) + 1;
        return counts;
      }, {}),
      note: 'both passes in one run: ListSecrets pages of 100, BatchGetItem 100 keys a call, DeleteSecret 10 at a time, then DescribeSecret per item 10 at a time',
    };
  } finally {
    await service.stop();
  }
};
