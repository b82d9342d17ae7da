import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { startEmbeddedService } from '../local/embedded-service.ts';
import { credentialItem } from '../shared/adapters/dynamodb/table-layout.ts';
import { bindSecret } from '../shared/domain/secret-binding.ts';
import { silentLogger } from '../shared/ports/logger.ts';
import { sweepSecrets } from '../shared/use-cases/secret-cleanup.ts';

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
        const at = new Date().toISOString();
        items.push(
          credentialItem({
            tenantId,
            id: credentialId,
            componentId: 'petstore',
            name: null,
            fields: {},
            secretFieldsSet: ['apiKey'],
            secretVersionId: String(created.VersionId),
            status: 'verified',
            statusReason: null,
            lastVerifiedAt: at,
            version: 1,
            activeFlowCount: 0,
            flowCount: 0,
            createdAt: at,
            updatedAt: at,
            createdBy: 'bench',
            updatedBy: 'bench',
          }),
        );
      }
    }
    for (let start = 0; start < items.length; start += 25) {
      await service.dynamoDb.send(
        new BatchWriteItemCommand({
          RequestItems: {
            [service.config.tableName]: items
              .slice(start, start + 25)
              .map((Item) => ({ PutRequest: { Item } })),
          },
        }),
      );
    }
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
