import { createHash } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { AuditEntry, FlowAuditEntry } from '../../domain/audit.ts';
import { attentionOf, type Credential, editVersionOf } from '../../domain/credential.ts';
import type { Flow } from '../../domain/flow.ts';
import { AppError } from '../../errors/app-error.ts';
import type { CredentialChanges } from '../../ports/credential-repository.ts';
import {
  AuditItem,
  CredentialItem,
  corruptItem,
  FlowAuditItem,
  FlowItem,
  type ItemKey,
  isCorruptItem,
  parseItem,
} from './item-schemas.ts';

/**
 * The one module that knows the single-table layout. Every key a tenant owns starts with
 * `T#<tenant>`, so isolation is a key prefix (and an IAM LeadingKeys condition on `T#<tenant>` and
 * `T#<tenant>#*`). The tenant's own partition holds only its credentials, flows, references and
 * counts; append-only audit records live in a partition per credential (docs/design.md has the plan).
 *
 * | item        | PK                          | SK                          | index keys                                  |
 * |-------------|-----------------------------|-----------------------------|---------------------------------------------|
 * | credential  | T#<tenant>                  | CRED#<credentialId>         | GSI1: T#<tenant>#C#<comp> / <credentialId>; |
 * |             |                             |                             | GSI2 (sparse, needs attention only):        |
 * |             |                             |                             | T#<tenant>#S#<attention> / <credentialId>;  |
 * |             |                             |                             | GSI3 (sparse, scheduled checks only):       |
 * |             |                             |                             | T#<tenant>#DUE / <dueAt>#<credentialId>     |
 * |             |                             |                             | GSI4 (sparse, named ones only):             |
 * |             |                             |                             | T#<tenant>#N / <name, folded>               |
 * | count shard | T#<tenant>                  | COUNT#<componentId>#<shard> |                                             |
 * | flow        | T#<tenant>                  | FLOW#<flowId>               |                                             |
 * | usage       | T#<tenant>                  | USE#<credentialId>#<flowId> |                                             |
 * | idempotency | T#<tenant>                  | IDEM#<key>                  |                                             |
 * | lease       | T#<tenant>                  | LEASE#<credentialId>        |                                             |
 * | OAuth app   | T#<tenant>                  | OAUTHAPP#<componentId>      |                                             |
 * | connect     | T#<tenant>                  | CONNECT#<sessionId> (TTL)   |                                             |
 * | audit       | T#<tenant>#A#<credentialId> | <at>#<random>               |                                             |
 *
 * Every listing is one Query on a key range (`BETWEEN`, never a filter): a `begins_with` reads the
 * same in AWS, but DynamoDB Local walks the whole partition for it.
 */
export const GSI1 = 'GSI1';
/** Sparse: only credentials that need attention carry its keys, so its cost ignores the healthy ones. */
export const GSI2 = 'GSI2';
/** Sparse, by due time: credentials the scheduled re-verification checks, earliest first. */
export const GSI3 = 'GSI3';
/** Sparse, by name (case and width folded): a search by the start of a name is one key range. */
export const GSI4 = 'GSI4';
export const TTL_ATTRIBUTE = 'expiresAtEpoch';

export type Key = Record<string, AttributeValue>;

export const tenantPk = (tenantId: string): string => `T#${tenantId}`;
export const credentialSk = (credentialId: string): string => `CRED#${credentialId}`;
/**
 * A component's count is spread over shards, so concurrent creates into one component touch
 * different items (DynamoDB cancels concurrent transactions on one item: TransactionConflict).
 * A credential's shard comes from its id, so its delete releases the shard its create counted in.
 * Counts written before shards (`COUNT#<component>`, no shard) still add to the sum.
 */
export const COUNT_SHARDS = 64;
export const countShardOf = (credentialId: string, shards = COUNT_SHARDS): number =>
  (createHash('sha256').update(credentialId).digest()[0] ?? 0) % Math.min(shards, COUNT_SHARDS);
export const countSk = (componentId: string, shard?: number): string =>
  shard === undefined ? `COUNT#${componentId}` : `COUNT#${componentId}#${String(shard).padStart(2, '0')}`;
/** Every item a component's count may live in: the unsharded one of earlier versions, then each shard. */
export const countSks = (componentId: string): string[] => [
  countSk(componentId),
  ...Array.from({ length: COUNT_SHARDS }, (_, shard) => countSk(componentId, shard)),
];
export const flowSk = (flowId: string): string => `FLOW#${flowId}`;
export const usagePrefix = (credentialId: string): string => `USE#${credentialId}#`;
export const usageSk = (credentialId: string, flowId: string): string =>
  `${usagePrefix(credentialId)}${flowId}`;
export const idempotencySk = (key: string): string => `IDEM#${key}`;
export const auditPk = (tenantId: string, credentialId: string): string => `T#${tenantId}#A#${credentialId}`;
export const statusGsiPk = (tenantId: string, status: string): string => `T#${tenantId}#S#${status}`;

/** The key condition for every item whose sort key starts with `prefix`, as a range. */
export const sortKeyRange = (prefix: string) => ({
  condition: 'PK = :pk AND SK BETWEEN :from AND :to',
  values: { ':from': prefix, ':to': `${prefix}\uffff` },
});

/** The sparse status index's keys for a credential that needs attention (none when it is healthy). */
export const statusIndexKeys = (
  tenantId: string,
  credentialId: string,
  credential: Pick<Credential, 'status' | 'expiryWarnedFor'>,
) => {
  const attention = attentionOf(credential);
  return attention ? { GSI2PK: statusGsiPk(tenantId, attention), GSI2SK: credentialId } : {};
};
/** The due index's keys for a credential checked next at `dueAt` (none when it never is). */
export const dueGsiPk = (tenantId: string): string => `T#${tenantId}#DUE`;
export const dueIndexKeys = (tenantId: string, credentialId: string, dueAt: string | null | undefined) =>
  dueAt ? { GSI3PK: dueGsiPk(tenantId), GSI3SK: `${dueAt}#${credentialId}` } : {};

/** A name as the name index sorts and searches it: compatibility-normalized, case folded. */
export const foldName = (name: string): string => name.normalize('NFKC').toLowerCase();
export const nameGsiPk = (tenantId: string): string => `T#${tenantId}#N`;
/** The name index's keys for a named credential (none for an unnamed one). */
export const nameIndexKeys = (tenantId: string, name: string | null | undefined) =>
  name ? { GSI4PK: nameGsiPk(tenantId), GSI4SK: foldName(name) } : {};
/**
 * Every name starting with `prefix` as a key range: from the prefix to the prefix with its last
 * character's successor, which sorts after all of them in DynamoDB's byte order and DynamoDB
 * Local's alike. The range's upper end itself is not a match (the caller drops it).
 */
export const nameRange = (prefix: string) => {
  const folded = foldName(prefix);
  return {
    from: folded,
    // Only a prefix of U+10FFFF alone has no successor: then the range is the prefix itself.
    to: successorOf(folded) ?? folded,
    matches: (name: string | null) => foldName(name ?? '').startsWith(folded),
  };
};

/** The least string after every string that starts with `text` (never a lone surrogate). */
const successorOf = (text: string): string | undefined => {
  const characters = [...text];
  while (characters.length > 0) {
    const last = characters.pop()?.codePointAt(0) ?? 0;
    if (last < 0x10ffff)
      return `${characters.join('')}${String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1)}`;
  }
  return undefined;
};

export const leaseSk = (credentialId: string): string => `LEASE#${credentialId}`;
export const oauthAppSk = (componentId: string): string => `OAUTHAPP#${componentId}`;
export const connectSessionSk = (sessionId: string): string => `CONNECT#${sessionId}`;
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

/**
 * The update of a credential item for a set of changes: each defined attribute set, the version
 * bumped, and the sparse status index following the status (its keys while the credential needs
 * attention, none otherwise). `values` may hold the caller's own condition values.
 */
export const credentialUpdate = (
  credential: Pick<
    Credential,
    'tenantId' | 'id' | 'status' | 'expiryWarnedFor' | 'name' | 'version' | 'editVersion'
  >,
  changes: CredentialChanges,
  conditionValues: Record<string, unknown>,
) => {
  const names: Record<string, string> = { '#version': 'version' };
  const values: Record<string, unknown> = { ...conditionValues, ':one': 1 };
  // The edit version is written on every change, so an item written before it existed keeps the
  // version its readers were given, whatever the service changes afterwards.
  if (changes.editVersion === undefined) changes = { ...changes, editVersion: editVersionOf(credential) };
  const sets = Object.entries(changes)
    .filter(([, value]) => value !== undefined)
    .map(([attribute, value], index) => {
      names[`#a${index}`] = attribute;
      values[`:v${index}`] = value;
      return `#a${index} = :v${index}`;
    });
  const removes: string[] = [];
  if (changes.status !== undefined || changes.expiryWarnedFor !== undefined) {
    const indexKeys = statusIndexKeys(credential.tenantId, credential.id, {
      status: changes.status ?? credential.status,
      expiryWarnedFor:
        changes.expiryWarnedFor !== undefined
          ? changes.expiryWarnedFor
          : (credential.expiryWarnedFor ?? null),
    });
    if ('GSI2PK' in indexKeys) {
      values[':gsi2pk'] = indexKeys.GSI2PK;
      values[':gsi2sk'] = indexKeys.GSI2SK;
      sets.push('GSI2PK = :gsi2pk', 'GSI2SK = :gsi2sk');
    } else removes.push('GSI2PK', 'GSI2SK');
  }
  // Every write keeps the name index: an item written before the index existed joins it at its next
  // change or scheduled check.
  const nameKeys = nameIndexKeys(
    credential.tenantId,
    changes.name !== undefined ? changes.name : credential.name,
  );
  if ('GSI4PK' in nameKeys) {
    values[':gsi4pk'] = nameKeys.GSI4PK;
    values[':gsi4sk'] = nameKeys.GSI4SK;
    sets.push('GSI4PK = :gsi4pk', 'GSI4SK = :gsi4sk');
  } else removes.push('GSI4PK', 'GSI4SK');
  if (changes.checkDueAt !== undefined) {
    const dueKeys = dueIndexKeys(credential.tenantId, credential.id, changes.checkDueAt);
    if ('GSI3PK' in dueKeys) {
      values[':gsi3pk'] = dueKeys.GSI3PK;
      values[':gsi3sk'] = dueKeys.GSI3SK;
      sets.push('GSI3PK = :gsi3pk', 'GSI3SK = :gsi3sk');
    } else removes.push('GSI3PK', 'GSI3SK');
  }
  return {
    UpdateExpression: `SET ${[...sets, '#version = #version + :one'].join(', ')}${
      removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''
    }`,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: toAttributes(values),
  };
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
    ...statusIndexKeys(credential.tenantId, credential.id, credential),
    ...dueIndexKeys(credential.tenantId, credential.id, credential.checkDueAt),
    ...nameIndexKeys(credential.tenantId, credential.name),
    entity: 'credential',
    ...credential,
  });

export const keyOf = (attributes: Record<string, unknown>): ItemKey => ({
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
      itemKey.PK === tenantPk(credential.tenantId) &&
      itemKey.SK === credentialSk(credential.id) &&
      // Its index keys too: an index entry that names another tenant would list it there.
      (attributes.GSI1PK === undefined ||
        attributes.GSI1PK === componentGsiPk(credential.tenantId, credential.componentId)) &&
      (attributes.GSI2PK === undefined ||
        attributes.GSI2PK === statusIndexKeys(credential.tenantId, credential.id, credential).GSI2PK) &&
      (attributes.GSI3PK === undefined || attributes.GSI3PK === dueGsiPk(credential.tenantId)) &&
      (attributes.GSI4PK === undefined || attributes.GSI4PK === nameGsiPk(credential.tenantId)),
  ) as Credential;
};

/** A credential read on behalf of `tenantId`: an item of any other tenant is corrupt, never data. */
export const tenantCredentialFromItem =
  (tenantId: string) =>
  (item: Key): Credential => {
    const credential = credentialFromItem(item);
    if (credential.tenantId !== tenantId) throw corruptItem(keyOf(fromAttributes(item)));
    return credential;
  };

export const auditItem = (entry: AuditEntry, retentionDays: number): Key =>
  toAttributes({
    PK: auditPk(entry.tenantId, entry.credentialId),
    // Time-ordered, so newest first is a reverse Query; the random suffix keeps two records of the
    // same millisecond apart.
    SK: `${entry.at}#${Math.random().toString(36).slice(2, 10)}`,
    entity: 'audit',
    ...entry,
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400,
  });

export const flowAuditPk = (tenantId: string, flowId: string): string => `T#${tenantId}#F#${flowId}`;

export const flowAuditItem = (entry: FlowAuditEntry, retentionDays: number): Key =>
  toAttributes({
    PK: flowAuditPk(entry.tenantId, entry.flowId),
    SK: `${entry.at}#${Math.random().toString(36).slice(2, 10)}`,
    entity: 'flow-audit',
    ...entry,
    [TTL_ATTRIBUTE]: Math.floor(Date.parse(entry.at) / 1000) + retentionDays * 86_400,
  });

export const flowAuditFromItem = (item: Key): FlowAuditEntry => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    FlowAuditItem,
    itemKey,
    attributes,
    (entry) => itemKey.PK === flowAuditPk(entry.tenantId, entry.flowId),
  ) as FlowAuditEntry;
};

export const auditFromItem = (item: Key): AuditEntry => {
  const attributes = fromAttributes(item);
  const itemKey = keyOf(attributes);
  return parseItem(
    AuditItem,
    itemKey,
    attributes,
    (entry) => itemKey.PK === auditPk(entry.tenantId, entry.credentialId) && itemKey.SK.startsWith(entry.at),
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

/** DynamoDB orders string keys by their UTF-8 bytes. */
const compareBytes = (a: string, b: string): number =>
  Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

const badCursor = (): AppError =>
  new AppError('validation_failed', 'cursor: is not a cursor returned by this list', {
    issues: [{ path: 'cursor', message: 'is not valid' }],
  });

export const decodeCursor = (
  cursor: string,
  expected: {
    pk: string;
    skPrefix: string;
    gsiPk?: string;
    index?: 'GSI1' | 'GSI2' | 'GSI4';
    /** The sort-key range the Query reads: a cursor from another range (another search) is refused. */
    indexSkRange?: { from: string; to: string };
  },
): Key => {
  let decoded: unknown;
  try {
    if (cursor.length > 1024 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor();
    decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw badCursor();
  }
  if (typeof decoded !== 'object' || decoded === null) throw badCursor();
  const index = expected.index ?? 'GSI1';
  const pkName = `${index}PK`;
  const skName = `${index}SK`;
  const { SK, [pkName]: indexPk, [skName]: indexSk, ...extra } = decoded as Record<string, unknown>;
  if (Object.keys(extra).length > 0 || typeof SK !== 'string' || !SK.startsWith(expected.skPrefix))
    throw badCursor();
  if (expected.gsiPk === undefined) {
    if (indexPk !== undefined || indexSk !== undefined) throw badCursor();
    return toAttributes({ PK: expected.pk, SK });
  }
  if (indexPk !== expected.gsiPk || typeof indexSk !== 'string') throw badCursor();
  // DynamoDB refuses a start key outside the key condition (ValidationException): a cursor of
  // another search is the caller's mistake, answered as one.
  const range = expected.indexSkRange;
  if (range && (compareBytes(indexSk, range.from) < 0 || compareBytes(indexSk, range.to) > 0))
    throw badCursor();
  return toAttributes({ PK: expected.pk, SK, [pkName]: indexPk, [skName]: indexSk });
};
