import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import type { OAuthApp } from '../../domain/oauth-app.ts';
import { AppError, notFound } from '../../errors/app-error.ts';
import type { OAuthAppRepository } from '../../ports/oauth-app-repository.ts';
import { type ItemKey, OAuthAppItem, parseItem } from './item-schemas.ts';
import {
  countSks,
  fromAttributes,
  key,
  keyOf,
  oauthAppSk,
  parseItems,
  sortKeyRange,
  tenantPk,
  toAttributes,
} from './table-layout.ts';
import { cancellationReasons, isConditionFailure } from './transaction-failure.ts';

type Item = Parameters<typeof fromAttributes>[0];

const appFromItem = (item: Item): OAuthApp => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    OAuthAppItem,
    itemKey,
    attributes,
    (app) => itemKey.PK === tenantPk(app.tenantId) && itemKey.SK === oauthAppSk(app.componentId),
  ) as OAuthApp;
};

const stale = (currentVersion: number) =>
  new AppError('version_mismatch', 'The OAuth app changed since you read it. Read it again, then retry.', {
    extensions: { currentVersion },
  });

/** The version, its secret version and its timestamp together name one write. */
const sameWrite = (stored: OAuthApp, written: OAuthApp): boolean =>
  stored.version === written.version &&
  stored.secretVersionId === written.secretVersionId &&
  stored.updatedAt === written.updatedAt &&
  stored.updatedBy === written.updatedBy;

export const dynamoDbOAuthAppRepository = (
  client: DynamoDBClient,
  tableName: string,
  onCorruptItem: (itemKey: ItemKey) => void = () => {},
): OAuthAppRepository => {
  const get = async (tenantId: string, componentId: string) => {
    const { Item } = await client.send(
      new GetItemCommand({
        TableName: tableName,
        Key: key(tenantPk(tenantId), oauthAppSk(componentId)),
        ConsistentRead: true,
      }),
    );
    return Item ? appFromItem(Item) : null;
  };
  return {
    get,

    async list(tenantId) {
      const range = sortKeyRange('OAUTHAPP#');
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: range.condition,
          ExpressionAttributeValues: toAttributes({ ':pk': tenantPk(tenantId), ...range.values }),
        }),
      );
      return parseItems(Items, appFromItem, onCorruptItem);
    },

    async put(app, previousVersion) {
      try {
        await client.send(
          new PutItemCommand({
            TableName: tableName,
            Item: toAttributes({
              PK: tenantPk(app.tenantId),
              SK: oauthAppSk(app.componentId),
              entity: 'oauthApp',
              ...app,
            }),
            ...(previousVersion === undefined
              ? { ConditionExpression: 'attribute_not_exists(PK)' }
              : {
                  ConditionExpression: 'version = :previous',
                  ExpressionAttributeValues: toAttributes({ ':previous': previousVersion }),
                }),
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        );
        return app;
      } catch (error) {
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
        const old = (error as { Item?: Item }).Item;
        // The SDK retried a put whose answer was lost: the item is exactly what this call wrote.
        if (old && sameWrite(appFromItem(old), app)) return app;
        throw stale(old ? appFromItem(old).version : 0);
      }
    },

    async delete(tenantId, componentId, acceptedVersions) {
      const values: Record<string, unknown> = { ':zero': 0 };
      acceptedVersions?.forEach((version, index) => {
        values[`:v${index}`] = version;
      });
      try {
        await client.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: key(tenantPk(tenantId), oauthAppSk(componentId)),
                  ConditionExpression: `attribute_exists(PK)${
                    acceptedVersions === undefined
                      ? ''
                      : ` AND version IN (${acceptedVersions.map((_, index) => `:v${index}`).join(', ')})`
                  }`,
                  ...(acceptedVersions === undefined
                    ? {}
                    : {
                        ExpressionAttributeValues: toAttributes(
                          Object.fromEntries(Object.entries(values).filter(([name]) => name !== ':zero')),
                        ),
                      }),
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
                },
              },
              // Refresh uses the app's client: it goes only when no credential of the component is
              // left, in any shard of its count.
              ...countSks(componentId).map((countKey) => ({
                ConditionCheck: {
                  TableName: tableName,
                  Key: key(tenantPk(tenantId), countKey),
                  ConditionExpression: 'attribute_not_exists(PK) OR credentialCount <= :zero',
                  ExpressionAttributeValues: toAttributes({ ':zero': 0 }),
                  ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
                },
              })),
            ],
          }),
        );
      } catch (error) {
        const reasons = cancellationReasons(error);
        if (!reasons) throw error;
        const [app, ...counts] = reasons;
        if (app && isConditionFailure(app)) {
          if (!app.Item) throw notFound('OAuth app');
          throw stale(appFromItem(app.Item).version);
        }
        const holding = counts.filter(isConditionFailure);
        if (holding.length > 0) {
          const credentialCount = holding.reduce(
            (sum, count) => sum + Number(count.Item ? fromAttributes(count.Item).credentialCount : 0),
            0,
          );
          throw new AppError(
            'oauth_app_in_use',
            `${credentialCount} credential(s) of component '${componentId}' still use this OAuth app: delete or re-connect them first.`,
            { extensions: { componentId, credentialCount } },
          );
        }
        throw error;
      }
    },
  };
};
