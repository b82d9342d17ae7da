import { TABLE_KEYS } from '../dynamodb/table-definition.ts';

/**
 * What IAM sees of one AWS call: the action it authorizes, the resource it names and the request
 * context its policies can test. Derived from the command input alone (names and keys, never
 * values), so tests can evaluate every call a function made against that function's role.
 */
export type IamResource =
  | { readonly table: string; readonly index?: string }
  | { readonly secret: string }
  | { readonly eventBus: string }
  /** The KMS key a service uses on the caller's behalf (Secrets Manager's envelope encryption). */
  | { readonly keyUsedBy: 'secretsmanager'; readonly secret: string }
  /** An action without resource-level permissions. */
  | { readonly anyResource: true };

export interface IamRequest {
  readonly action: string;
  readonly resource: IamResource;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export type AwsService = 'dynamodb' | 'secretsmanager' | 'events';

type Input = Record<string, unknown>;
type AttributeMap = Record<string, { S?: string } | undefined>;

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
  Get: 'GetItem',
};

const partitionKeyOf = (index: string | undefined): string =>
  TABLE_KEYS.globalIndexes.find((candidate) => candidate.name === index)?.partitionKey ??
  TABLE_KEYS.partitionKey;

const leadingKeyOf = (item: unknown): string | undefined =>
  (item as AttributeMap | undefined)?.[TABLE_KEYS.partitionKey]?.S;

/** The partition key value a Query's key condition pins (`PK = :pk`, or `#name = :value`). */
const queriedPartitionKey = (input: Input): string | undefined => {
  const expression = String(input.KeyConditionExpression ?? '');
  const names = (input.ExpressionAttributeNames ?? {}) as Record<string, string>;
  const values = (input.ExpressionAttributeValues ?? {}) as AttributeMap;
  const wanted = partitionKeyOf(input.IndexName as string | undefined);
  for (const [, name, placeholder] of expression.matchAll(/([#\w]+)\s*=\s*(:\w+)/g)) {
    if ((names[name ?? ''] ?? name) === wanted) return values[placeholder ?? '']?.S;
  }
  return undefined;
};

type Context = IamRequest['context'];

const leadingKeysContext = (keys: (string | undefined)[]): Context => {
  const known = keys.filter((key): key is string => key !== undefined);
  return known.length > 0 ? { 'dynamodb:LeadingKeys': [...new Set(known)] } : {};
};

const tableRequest = (
  action: string,
  table: unknown,
  keys: (string | undefined)[],
  index?: unknown,
): IamRequest => ({
  action: `dynamodb:${action}`,
  resource: { table: String(table), ...(index ? { index: String(index) } : {}) },
  context: leadingKeysContext(keys),
});

const dynamoDbRequests = (command: string, input: Input): IamRequest[] => {
  switch (command) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem':
      return [tableRequest(command, input.TableName, [leadingKeyOf(input.Key)])];
    case 'PutItem':
      return [tableRequest(command, input.TableName, [leadingKeyOf(input.Item)])];
    case 'Query':
      return [tableRequest(command, input.TableName, [queriedPartitionKey(input)], input.IndexName)];
    case 'TransactWriteItems':
    case 'TransactGetItems':
      return ((input.TransactItems ?? []) as Record<string, Input>[]).flatMap((item) =>
        Object.entries(item).map(([kind, part]) =>
          tableRequest(TRANSACT_ITEM_ACTIONS[kind] ?? kind, part.TableName, [
            leadingKeyOf(part.Key ?? part.Item),
          ]),
        ),
      );
    case 'BatchGetItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, { Keys?: unknown[] }>).map(
        ([table, request]) => tableRequest(command, table, (request.Keys ?? []).map(leadingKeyOf)),
      );
    case 'BatchWriteItem':
      return Object.entries((input.RequestItems ?? {}) as Record<string, Input[]>).map(([table, writes]) =>
        tableRequest(
          command,
          table,
          writes.map((write) =>
            leadingKeyOf(
              (write.PutRequest as Input | undefined)?.Item ??
                (write.DeleteRequest as Input | undefined)?.Key,
            ),
          ),
        ),
      );
    default:
      return [
        input.TableName
          ? tableRequest(command, input.TableName, [])
          : { action: `dynamodb:${command}`, resource: { anyResource: true }, context: {} },
      ];
  }
};

const tagContext = (tags: unknown): Context => {
  const list = Array.isArray(tags) ? (tags as { Key?: string; Value?: string }[]) : [];
  if (list.length === 0) return {};
  return {
    'aws:TagKeys': list.map((tag) => String(tag.Key)),
    ...Object.fromEntries(list.map((tag) => [`aws:RequestTag/${tag.Key}`, String(tag.Value)])),
  };
};

const secretsManagerRequests = (command: string, input: Input): IamRequest[] => {
  if (command === 'ListSecrets' || command === 'BatchGetSecretValue' || command === 'GetRandomPassword') {
    return [{ action: `secretsmanager:${command}`, resource: { anyResource: true }, context: {} }];
  }
  const secret = String(input.SecretId ?? input.Name ?? '');
  const requests: IamRequest[] = [];
  const context = command === 'CreateSecret' || command === 'TagResource' ? tagContext(input.Tags) : {};
  requests.push({ action: `secretsmanager:${command}`, resource: { secret }, context });
  if (command === 'CreateSecret' && Object.keys(context).length > 0) {
    requests.push({ action: 'secretsmanager:TagResource', resource: { secret }, context });
  }
  // Secrets Manager asks KMS for a new data key whenever a value is written and decrypts it to
  // read one, with the caller's permissions on the key.
  const writesValue =
    (command === 'CreateSecret' || command === 'PutSecretValue') &&
    (input.SecretString !== undefined || input.SecretBinary !== undefined);
  if (writesValue)
    requests.push({
      action: 'kms:GenerateDataKey',
      resource: { keyUsedBy: 'secretsmanager', secret },
      context: {},
    });
  if (command === 'GetSecretValue')
    requests.push({ action: 'kms:Decrypt', resource: { keyUsedBy: 'secretsmanager', secret }, context: {} });
  return requests;
};

const eventBridgeRequests = (command: string, input: Input): IamRequest[] => {
  if (command !== 'PutEvents')
    return [{ action: `events:${command}`, resource: { anyResource: true }, context: {} }];
  const buses = new Set(
    ((input.Entries ?? []) as { EventBusName?: string }[]).map((entry) => entry.EventBusName ?? 'default'),
  );
  return [...buses].map((eventBus) => ({ action: 'events:PutEvents', resource: { eventBus }, context: {} }));
};

export const iamRequestsOf = (service: AwsService, command: string, input: Input = {}): IamRequest[] => {
  if (service === 'dynamodb') return dynamoDbRequests(command, input);
  if (service === 'secretsmanager') return secretsManagerRequests(command, input);
  return eventBridgeRequests(command, input);
};
