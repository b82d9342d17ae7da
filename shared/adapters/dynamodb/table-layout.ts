import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditEntry } from '../../domain/audit.ts';
import type { Credential } from '../../domain/credential.ts';
import type { Flow } from '../../domain/flow.ts';
import { AppError } from '../../errors/app-error.ts';
import {
  AuditItem,
  CredentialItem,
  FlowItem,
  type ItemKey,
  isCorruptItem,
  parseItem,
} from './item-schemas.ts';

/**
 * The one module that knows the single-table layout. Every item a tenant owns lives under
 * `PK = T#<tenant>`, so isolation is a key prefix (and an IAM LeadingKeys condition in a pooled
 * deployment).
 *
 * | item        | SK                          | GSI1PK                 | GSI1SK          |
 * |-------------|-----------------------------|------------------------|-----------------|
 * | credential  | CRED#<credentialId>         | T#<tenant>#C#<comp>    | <credentialId>  |
 * | count       | COUNT#<componentId>         |                        |                 |
 * | flow        | FLOW#<flowId>               |                        |                 |
 * | usage       | USE#<credentialId>#<flowId> |                        |                 |
 * | idempotency | IDEM#<key>                  |                        |                 |
 * | audit       | AUDIT#<credentialId>#<at>#<n> |                      |                 |
 * | lease       | LEASE#<credentialId>        |                        |                 |
 */
export const GSI1 = 'GSI1';
export const TTL_ATTRIBUTE = 'expiresAtEpoch';

export type Key = Record<string, AttributeValue>;

export const tenantPk = (tenantId: string): string => `T#${tenantId}`;
export const credentialSk = (credentialId: string): string => `CRED#${credentialId}`;
export const countSk = (componentId: string): string => `COUNT#${componentId}`;
export const flowSk = (flowId: string): string => `FLOW#${flowId}`;
export const usagePrefix = (credentialId: string): string => `USE#${credentialId}#`;
export const usageSk = (credentialId: string, flowId: string): string =>
  `${usagePrefix(credentialId)}${flowId}`;
export const idempotencySk = (key: string): string => `IDEM#${key}`;
export const auditPrefix = (credentialId: string): string => `AUDIT#${credentialId}#`;
export const leaseSk = (credentialId: string): string => `LEASE#${credentialId}`;
export const componentGsiPk = (tenantId: string, componentId: string): string =>
  `T#${tenantId}#C#${componentId}`;

export const key = (pk: string, sk: string): Key => ({ PK: { S: pk }, SK: { S: sk } });
export const credentialKey = (tenantId: string, credentialId: string): Key =>
  key(tenantPk(tenantId), credentialSk(credentialId));

/** The credential a key addresses, or null for any other kind of item. */
export const credentialAddressFromKey = (itemKey: Key): { tenantId: string; credentialId: string } | null => {
  const pk = itemKey.PK?.S;
  const sk = itemKey.SK?.S;
  if (!pk?.startsWith('T#') || !sk?.startsWith('CRED#')) return null;
  const tenantId = pk.slice(2);
  const credentialId = sk.slice(5);
  if (!tenantId || !credentialId || tenantId.includes('#')) return null;
  return { tenantId, credentialId };
};

export const toAttributes = (value: Record<string, unknown>): Key =>
  marshall(value, { removeUndefinedValues: true, convertEmptyValues: false });
export const fromAttributes = (item: Key): Record<string, unknown> => unmarshall(item);

export const credentialItem = (credential: Credential): Key =>
  toAttributes({
    PK: tenantPk(credential.tenantId),
    SK: credentialSk(credential.id),
    GSI1PK: componentGsiPk(credential.tenantId, credential.componentId),
    GSI1SK: credential.id,
    entity: 'credential',
    ...credential,
  });

const keyOf = (attributes: Record<string, unknown>): ItemKey => ({
  PK: String(attributes.PK ?? ''),
  SK: String(attributes.SK ?? ''),
});

export const credentialFromItem = (item: Key): Credential => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    CredentialItem,
    itemKey,
    attributes,
    (credential) =>
      itemKey.PK === tenantPk(credential.tenantId) && itemKey.SK === credentialSk(credential.id),
  ) as Credential;
};

export const auditItem = (entry: AuditEntry, retentionDays: number): Key =>
  toAttributes({
    PK: tenantPk(entry.tenantId),
    // The random suffix keeps two records of the same millisecond apart.
    SK: `${auditPrefix(entry.credentialId)}${entry.at}#${Math.random().toString(36).slice(2, 10)}`,
    entity: 'audit',
    ...entry,
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400,
  });

export const auditFromItem = (item: Key): AuditEntry => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    AuditItem,
    itemKey,
    attributes,
    (entry) =>
      itemKey.PK === tenantPk(entry.tenantId) && itemKey.SK.startsWith(auditPrefix(entry.credentialId)),
  ) as AuditEntry;
};

export const flowItem = (flow: Flow): Key =>
  toAttributes({ PK: tenantPk(flow.tenantId), SK: flowSk(flow.flowId), entity: 'flow', ...flow });

export const flowFromItem = (item: Key): Flow => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    FlowItem,
    itemKey,
    attributes,
    (flow) => itemKey.PK === tenantPk(flow.tenantId) && itemKey.SK === flowSk(flow.flowId),
  ) as Flow;
};

/**
 * A page of items with the malformed ones left out: one bad item must not hide the rest of a list.
 * Each one skipped is reported (by key) so it can be repaired.
 */
export const parseItems = <T>(
  items: readonly Key[],
  fromItem: (item: Key) => T,
  onCorrupt: (itemKey: ItemKey) => void,
): T[] =>
  items.flatMap((item) => {
    try {
      return [fromItem(item)];
    } catch (error) {
      if (!isCorruptItem(error)) throw error;
      onCorrupt(keyOf(fromAttributes(item)));
      return [];
    }
  });

/**
 * Cursors are the last evaluated key's sort attributes, base64url-encoded. The partition key is
 * never taken from the cursor: it is rebuilt from the caller's tenant, so a forged cursor can only
 * move within the caller's own items, and a malformed one is a 400, not a DynamoDB error.
 */
export const encodeCursor = (lastKey: Key | undefined): string | null => {
  if (!lastKey) return null;
  const { PK: _pk, ...sortKeys } = fromAttributes(lastKey);
  return Buffer.from(JSON.stringify(sortKeys), 'utf8').toString('base64url');
};

const badCursor = (): AppError =>
  new AppError('validation_failed', 'cursor: is not a cursor returned by this list', {
    issues: [{ path: 'cursor', message: 'is not valid' }],
  });

export const decodeCursor = (
  cursor: string,
  expected: { pk: string; skPrefix: string; gsiPk?: string },
): Key => {
  let decoded: unknown;
  try {
    if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (typeof decoded !== 'object' || decoded === null) throw badCursor();
  const { SK, GSI1PK, GSI1SK, ...extra } = decoded as Record<string, unknown>;
  if (Object.keys(extra).length > 0 || typeof SK !== 'string' || !SK.startsWith(expected.skPrefix))
    throw badCursor();
  if (expected.gsiPk === undefined) {
    if (GSI1PK !== undefined || GSI1SK !== undefined) throw badCursor();
    return toAttributes({ PK: expected.pk, SK });
  }
  if (GSI1PK !== expected.gsiPk || typeof GSI1SK !== 'string') throw badCursor();
  return toAttributes({ PK: expected.pk, SK, GSI1PK, GSI1SK });
};
