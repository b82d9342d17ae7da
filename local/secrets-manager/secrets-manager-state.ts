import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A faithful-enough, in-process model of AWS Secrets Manager for local runs and tests: the
 * operations this service uses (and will use for rotation), with AWS's request validation, error
 * names and wording for the cases the service handles, request-token idempotency, staging labels,
 * scheduled deletion and its recovery window, and ListSecrets' filters and pagination. Written from
 * the AWS API reference; `test/local/secrets-manager-conformance.test.ts` holds it to that.
 * A dev/test tool, never deployed.
 */
export class SecretsManagerError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface SecretVersion {
  readonly versionId: string;
  readonly secretString: string;
  readonly createdDate: number;
  stages: string[];
}

export interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  description?: string;
  kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  readonly createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
  /** When a scheduled deletion becomes final (DeletedDate + recovery window). */
  deletionDate?: number;
  versions: SecretVersion[];
}

export interface SecretsManagerSnapshot {
  readonly secrets: StoredSecret[];
}

type Request = Record<string, unknown>;

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const FILTER_VALUE_PATTERN = /^!?[a-zA-Z0-9 :_@/+=.\-!]*$/;
const FILTER_KEYS = [
  'description',
  'name',
  'tag-key',
  'tag-value',
  'primary-region',
  'owning-service',
  'all',
];
const MAX_SECRET_BYTES = 65_536;
/**
 * AWS's quota of versions per secret. Its documentation: Secrets Manager "removes unlabeled
 * versions when there are more than 100, but it does not remove versions created less than 24
 * hours ago"; writing more often than that removes them, "you will reach the quota for secret
 * versions" (docs.aws.amazon.com/secretsmanager/latest/userguide/reference_limits.html).
 */
export const MAX_VERSIONS = 100;
/** An unlabelled version younger than this is kept, whatever the count. */
export const UNLABELLED_VERSION_RETENTION_SECONDS = 86_400;
/**
 * "Combined rate of PutSecretValue, RemoveRegionsFromReplication, ReplicateSecretToRegion,
 * StopReplicationToReplica, UpdateSecret, and UpdateSecretVersionStage API requests: 50 per second
 * per Region, not adjustable" (the same page): shared by every secret of the account.
 */
export const REGION_WRITE_RATE_PER_SECOND = 50;
const RATE_LIMITED_WRITES: ReadonlySet<string> = new Set([
  'PutSecretValue',
  'UpdateSecret',
  'UpdateSecretVersionStage',
]);

/** What the account's writes looked like, for a benchmark to read. */
export interface WriteAccounting {
  /** Rate-limited writes (PutSecretValue, UpdateSecret, UpdateSecretVersionStage) answered. */
  readonly writes: number;
  /** The most in any one second (by the endpoint's clock). */
  readonly peakWritesPerSecond: number;
  /** Writes refused with ThrottlingException because the second's 50 were spent. */
  readonly throttled: number;
  /** Writes refused with LimitExceededException because the secret's versions were at the quota. */
  readonly versionQuotaRefusals: number;
}

const invalidParameter = (message: string) => new SecretsManagerError('InvalidParameterException', message);
const validation = (message: string) =>
  new SecretsManagerError('ValidationException', `1 validation error detected: ${message}`);
const notFound = () =>
  new SecretsManagerError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const markedForDeletion = () =>
  new SecretsManagerError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

const stringField = (request: Request, name: string, required = false): string | undefined => {
  const value = request[name];
  if (value === undefined || value === null) {
    if (required)
      throw validation(
        `Value null at '${name.charAt(0).toLowerCase()}${name.slice(1)}' failed to satisfy constraint: Member must not be null`,
      );
    return undefined;
  }
  if (typeof value !== 'string')
    throw new SecretsManagerError('SerializationException', `${name} must be a string.`);
  return value;
};

const checkToken = (token: string | undefined): string => {
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw validation(
      "Value at 'clientRequestToken' failed to satisfy constraint: Member must have length between 32 and 64",
    );
  }
  return token;
};

const checkSecretString = (request: Request, required = true): string | undefined => {
  const value = stringField(request, 'SecretString', required);
  if (value !== undefined && Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw invalidParameter('SecretString must be at most 65536 bytes.');
  }
  return value;
};

const checkStage = (stage: string): string => {
  if (stage.length < 1 || stage.length > 256)
    throw invalidParameter('A staging label must be 1 to 256 characters.');
  return stage;
};

/** A cursor, not an offset: the page after the last item returned, whatever was deleted meanwhile. */
type PageToken = readonly [number, string];

const encodeToken = (token: PageToken): string => Buffer.from(JSON.stringify(token)).toString('base64url');
const decodeToken = (raw: unknown): PageToken => {
  const invalid = () =>
    new SecretsManagerError('InvalidNextTokenException', 'The NextToken value is invalid.');
  if (typeof raw !== 'string' || raw.length > 4096) throw invalid();
  let token: unknown;
  try {
    token = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(token) || typeof token[0] !== 'number' || typeof token[1] !== 'string') throw invalid();
  return [token[0], token[1]];
};

/** The items after the cursor, in the order `compare` gives on (date, id). */
const pageAfter = <T>(
  items: readonly T[],
  keyOf: (item: T) => PageToken,
  compare: (a: PageToken, b: PageToken) => number,
  raw: unknown,
  size: number,
): { page: T[]; next: string | undefined } => {
  const after = raw === undefined ? undefined : decodeToken(raw);
  const rest = after === undefined ? [...items] : items.filter((item) => compare(keyOf(item), after) > 0);
  const page = rest.slice(0, size);
  const last = page.at(-1);
  return { page, next: rest.length > size && last ? encodeToken(keyOf(last)) : undefined };
};

const maxResultsOf = (request: Request, fallback: number): number => {
  const value = request.MaxResults;
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100)
    throw validation(
      `Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100`,
    );
  return value;
};

/** "all": the search string broken into words (case changes, letters/digits, punctuation). */
const wordsOf = (text: string): string[] =>
  text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/([A-Za-z])(\d)|(\d)([A-Za-z])/g, '$1$3 $2$4')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.toLowerCase());

export class SecretsManagerState {
  private readonly secrets = new Map<string, StoredSecret>();
  /** Names changed by the last operation, for incremental persistence. */
  readonly changed = new Set<string>();

  constructor(
    private readonly region = 'us-east-1',
    private readonly accountId = '000000000000',
    snapshot?: SecretsManagerSnapshot,
    private readonly now: () => number = () => Date.now() / 1000,
  ) {
    for (const secret of snapshot?.secrets ?? []) {
      // State written before deletion dates were kept: the longest window AWS allows.
      if (secret.deletedDate !== undefined && secret.deletionDate === undefined)
        secret.deletionDate = secret.deletedDate + 30 * 86_400;
      this.secrets.set(secret.name, secret);
    }
  }

  snapshot(): SecretsManagerSnapshot {
    return { secrets: [...this.secrets.values()] };
  }

  /** The current state of one secret (null once removed): what an append-only log records. */
  entry(name: string): StoredSecret | null {
    return this.secrets.get(name) ?? null;
  }

  /** Applies a logged entry when replaying an append-only log. */
  restore(name: string, secret: StoredSecret | null): void {
    if (secret) this.secrets.set(name, secret);
    else this.secrets.delete(name);
  }

  private writes = 0;
  private throttled = 0;
  private versionQuotaRefusals = 0;
  private peakWritesPerSecond = 0;
  private second = -1;
  private writesThisSecond = 0;

  /** The account's rate-limited writes so far: totals and the busiest second. */
  writeAccounting(): WriteAccounting {
    return {
      writes: this.writes,
      peakWritesPerSecond: this.peakWritesPerSecond,
      throttled: this.throttled,
      versionQuotaRefusals: this.versionQuotaRefusals,
    };
  }

  /** The Region's shared write budget: 50 in any one second, then ThrottlingException, as AWS. */
  private spendWrite(): void {
    const second = Math.floor(this.now());
    if (second !== this.second) {
      this.second = second;
      this.writesThisSecond = 0;
    }
    if (this.writesThisSecond >= REGION_WRITE_RATE_PER_SECOND) {
      this.throttled++;
      throw new SecretsManagerError('ThrottlingException', 'Rate exceeded');
    }
    this.writesThisSecond++;
    this.writes++;
    this.peakWritesPerSecond = Math.max(this.peakWritesPerSecond, this.writesThisSecond);
  }

  handle(operation: string, request: Request): Record<string, unknown> {
    this.changed.clear();
    this.purgeExpiredDeletions();
    if (RATE_LIMITED_WRITES.has(operation)) this.spendWrite();
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(request);
      case 'PutSecretValue':
        return this.putSecretValue(request);
      case 'UpdateSecret':
        return this.updateSecret(request);
      case 'GetSecretValue':
        return this.getSecretValue(request);
      case 'DescribeSecret':
        return this.describeSecret(request);
      case 'DeleteSecret':
        return this.deleteSecret(request);
      case 'RestoreSecret':
        return this.restoreSecret(request);
      case 'ListSecrets':
        return this.listSecrets(request);
      case 'ListSecretVersionIds':
        return this.listSecretVersionIds(request);
      case 'UpdateSecretVersionStage':
        return this.updateSecretVersionStage(request);
      case 'TagResource':
        return this.tagResource(request);
      case 'UntagResource':
        return this.untagResource(request);
      default:
        throw new SecretsManagerError('InvalidAction', `The local endpoint does not implement ${operation}.`);
    }
  }

  /** As AWS does at the end of the recovery window: the secret and its versions are gone for good. */
  private purgeExpiredDeletions(): void {
    const now = this.now();
    for (const secret of this.secrets.values()) {
      if (secret.deletionDate !== undefined && secret.deletionDate <= now) {
        this.secrets.delete(secret.name);
        this.changed.add(secret.name);
      }
    }
  }

  private touch(secret: StoredSecret): void {
    secret.lastChangedDate = this.now();
    this.changed.add(secret.name);
  }

  private find(secretId: string | undefined): StoredSecret {
    if (!secretId)
      throw validation("Value null at 'secretId' failed to satisfy constraint: Member must not be null");
    const secret =
      this.secrets.get(secretId) ??
      [...this.secrets.values()].find((candidate) => candidate.arn === secretId);
    if (!secret) throw notFound();
    return secret;
  }

  private live(secretId: string | undefined): StoredSecret {
    const secret = this.find(secretId);
    if (secret.deletedDate !== undefined) throw markedForDeletion();
    return secret;
  }

  /**
   * Each staging label is attached to one version at a time: attaching it elsewhere removes it here.
   * Moving AWSCURRENT also moves AWSPREVIOUS to the version it left.
   */
  private moveLabels(secret: StoredSecret, stages: readonly string[]): void {
    for (const version of secret.versions) {
      const hadCurrent = version.stages.includes('AWSCURRENT');
      version.stages = version.stages.filter((stage) => !stages.includes(stage));
      if (stages.includes('AWSCURRENT')) {
        version.stages = version.stages.filter((stage) => stage !== 'AWSPREVIOUS');
        if (hadCurrent) version.stages.push('AWSPREVIOUS');
      }
    }
  }

  private addVersion(secret: StoredSecret, versionId: string, secretString: string, stages: string[]): void {
    const now = this.now();
    // Unlabelled versions are removed once the secret holds more than the quota, oldest first, and
    // only those at least 24 hours old: a secret written faster reaches the quota and is refused.
    const removable = (version: SecretVersion) =>
      version.stages.length === 0 && now - version.createdDate >= UNLABELLED_VERSION_RETENTION_SECONDS;
    const before = secret.versions.map((version) => [...version.stages]);
    this.moveLabels(secret, stages);
    if (secret.versions.filter((version) => !removable(version)).length + 1 > MAX_VERSIONS) {
      secret.versions.forEach((version, index) => {
        version.stages = before[index] ?? [];
      });
      this.versionQuotaRefusals++;
      throw new SecretsManagerError(
        'LimitExceededException',
        'You have exceeded the maximum number of versions for this secret.',
      );
    }
    secret.versions.push({ versionId, secretString, createdDate: now, stages });
    let surplus = secret.versions.length - MAX_VERSIONS;
    secret.versions = secret.versions.filter((version) => {
      if (surplus > 0 && removable(version)) {
        surplus--;
        return false;
      }
      return true;
    });
    this.touch(secret);
  }

  private createSecret(request: Request) {
    const name = stringField(request, 'Name', true) ?? '';
    if (!NAME_PATTERN.test(name)) throw invalidParameter('Name contains invalid characters or is too long.');
    const secretString = checkSecretString(request) ?? '';
    const token = checkToken(stringField(request, 'ClientRequestToken'));
    const existing = this.secrets.get(name);
    if (existing) {
      if (existing.deletedDate !== undefined) {
        throw new SecretsManagerError(
          'InvalidRequestException',
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      const same = existing.versions.find((version) => version.versionId === token);
      if (same && same.secretString === secretString) {
        return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId };
      }
      throw new SecretsManagerError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const tags = Array.isArray(request.Tags) ? (request.Tags as { Key: string; Value: string }[]) : [];
    const secret: StoredSecret = {
      arn: `arn:aws:secretsmanager:${this.region}:${this.accountId}:secret:${name}-${randomBytes(3).toString('hex')}`,
      name,
      description: stringField(request, 'Description'),
      kmsKeyId: stringField(request, 'KmsKeyId'),
      tags,
      createdDate: this.now(),
      lastChangedDate: this.now(),
      versions: [],
    };
    this.secrets.set(name, secret);
    this.addVersion(secret, token, secretString, ['AWSCURRENT']);
    return { ARN: secret.arn, Name: name, VersionId: token };
  }

  /** A new version, or the same one again for a retried request token. */
  private newVersion(secret: StoredSecret, request: Request, secretString: string, stages: string[]) {
    const token = checkToken(stringField(request, 'ClientRequestToken'));
    const existing = secret.versions.find((version) => version.versionId === token);
    if (existing) {
      if (existing.secretString === secretString) {
        return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: existing.stages };
      }
      throw new SecretsManagerError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    this.addVersion(secret, token, secretString, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: stages };
  }

  private putSecretValue(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    const secretString = checkSecretString(request) ?? '';
    const stages = Array.isArray(request.VersionStages)
      ? (request.VersionStages as unknown[]).map((stage) => checkStage(String(stage)))
      : ['AWSCURRENT'];
    return this.newVersion(secret, request, secretString, stages);
  }

  private updateSecret(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    const description = stringField(request, 'Description');
    const kmsKeyId = stringField(request, 'KmsKeyId');
    const secretString = checkSecretString(request, false);
    if (description !== undefined) secret.description = description;
    if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
    this.touch(secret);
    if (secretString === undefined) return { ARN: secret.arn, Name: secret.name };
    const { VersionId } = this.newVersion(secret, request, secretString, ['AWSCURRENT']);
    return { ARN: secret.arn, Name: secret.name, VersionId };
  }

  private getSecretValue(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    const versionId = stringField(request, 'VersionId');
    const stage = stringField(request, 'VersionStage') ?? (versionId ? undefined : 'AWSCURRENT');
    const version = secret.versions.find(
      (candidate) =>
        (versionId === undefined || candidate.versionId === versionId) &&
        (stage === undefined || candidate.stages.includes(stage)),
    );
    if (!version) {
      throw new SecretsManagerError(
        'ResourceNotFoundException',
        "Secrets Manager can't find the specified secret value for the requested version or staging label.",
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: version.versionId,
      SecretString: version.secretString,
      VersionStages: version.stages,
      CreatedDate: version.createdDate,
    };
  }

  private stages(secret: StoredSecret): Record<string, string[]> {
    return Object.fromEntries(
      secret.versions
        .filter((version) => version.stages.length > 0)
        .map((version) => [version.versionId, version.stages]),
    );
  }

  private common(secret: StoredSecret) {
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description === undefined ? {} : { Description: secret.description }),
      ...(secret.kmsKeyId === undefined ? {} : { KmsKeyId: secret.kmsKeyId }),
      Tags: secret.tags,
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate }),
    };
  }

  private describeSecret(request: Request) {
    const secret = this.find(stringField(request, 'SecretId', true));
    // DescribeSecret names them VersionIdsToStages…
    return { ...this.common(secret), VersionIdsToStages: this.stages(secret) };
  }

  private deleteSecret(request: Request) {
    const secret = this.find(stringField(request, 'SecretId', true));
    const force = request.ForceDeleteWithoutRecovery === true;
    const window = request.RecoveryWindowInDays;
    if (force && window !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    if (
      window !== undefined &&
      (typeof window !== 'number' || !Number.isInteger(window) || window < 7 || window > 30)
    ) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    if (force) {
      this.secrets.delete(secret.name);
      this.changed.add(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: this.now() };
    }
    if (secret.deletedDate !== undefined) throw markedForDeletion();
    secret.deletedDate = this.now();
    secret.deletionDate = secret.deletedDate + ((window as number | undefined) ?? 30) * 86_400;
    this.changed.add(secret.name);
    return { ARN: secret.arn, Name: secret.name, DeletionDate: secret.deletionDate };
  }

  private restoreSecret(request: Request) {
    const secret = this.find(stringField(request, 'SecretId', true));
    delete secret.deletedDate;
    delete secret.deletionDate;
    this.changed.add(secret.name);
    return { ARN: secret.arn, Name: secret.name };
  }

  private tagResource(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    if (!Array.isArray(request.Tags))
      throw validation("Value null at 'tags' failed to satisfy constraint: Member must not be null");
    const tags = request.Tags as { Key: string; Value: string }[];
    const keys = new Set(tags.map((tag) => tag.Key));
    secret.tags = [...secret.tags.filter((tag) => !keys.has(tag.Key)), ...tags];
    this.changed.add(secret.name);
    return {};
  }

  private untagResource(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    if (!Array.isArray(request.TagKeys))
      throw validation("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    const keys = new Set((request.TagKeys as unknown[]).map(String));
    secret.tags = secret.tags.filter((tag) => !keys.has(tag.Key));
    this.changed.add(secret.name);
    return {};
  }

  private listSecretVersionIds(request: Request) {
    const secret = this.find(stringField(request, 'SecretId', true));
    const includeDeprecated = request.IncludeDeprecated === true;
    const newestFirst = (a: PageToken, b: PageToken) => b[0] - a[0] || b[1].localeCompare(a[1]);
    const versions = secret.versions
      .filter((version) => includeDeprecated || version.stages.length > 0)
      .sort((a, b) => newestFirst([a.createdDate, a.versionId], [b.createdDate, b.versionId]));
    const { page, next } = pageAfter(
      versions,
      (version) => [version.createdDate, version.versionId],
      newestFirst,
      request.NextToken,
      maxResultsOf(request, 100),
    );
    return {
      ARN: secret.arn,
      Name: secret.name,
      Versions: page.map((version) => ({
        VersionId: version.versionId,
        VersionStages: version.stages,
        CreatedDate: version.createdDate,
        ...(secret.kmsKeyId ? { KmsKeyIds: [secret.kmsKeyId] } : {}),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }

  /**
   * Moves a label. AWS requires naming the version it leaves (RemoveFromVersionId) when it is
   * attached elsewhere, and refuses a RemoveFromVersionId that does not hold it.
   */
  private updateSecretVersionStage(request: Request) {
    const secret = this.live(stringField(request, 'SecretId', true));
    const stage = checkStage(stringField(request, 'VersionStage', true) ?? '');
    const removeFrom = stringField(request, 'RemoveFromVersionId');
    const moveTo = stringField(request, 'MoveToVersionId');
    const holder = secret.versions.find((version) => version.stages.includes(stage));
    const version = (id: string) => {
      const found = secret.versions.find((candidate) => candidate.versionId === id);
      if (!found) throw invalidParameter(`The version ${id} does not exist for this secret.`);
      return found;
    };
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw invalidParameter(`The staging label ${stage} is not attached to version ${removeFrom}.`);
    }
    if (moveTo === undefined) {
      if (removeFrom === undefined)
        throw invalidParameter('Specify MoveToVersionId, RemoveFromVersionId or both.');
      if (stage === 'AWSCURRENT')
        throw invalidParameter(
          "You can't remove AWSCURRENT from a version; move it to another version instead.",
        );
      version(removeFrom).stages = version(removeFrom).stages.filter((label) => label !== stage);
      this.touch(secret);
      return { ARN: secret.arn, Name: secret.name };
    }
    const target = version(moveTo);
    if (holder && holder !== target && removeFrom === undefined) {
      throw invalidParameter(
        `The staging label ${stage} is currently attached to version ${holder.versionId}. Specify RemoveFromVersionId to move it.`,
      );
    }
    this.moveLabels(secret, [stage]);
    if (!target.stages.includes(stage)) target.stages.push(stage);
    this.touch(secret);
    return { ARN: secret.arn, Name: secret.name };
  }

  private matches(secret: StoredSecret, key: string, raw: string): boolean {
    const negate = raw.startsWith('!');
    const value = negate ? raw.slice(1) : raw;
    const prefix = (candidates: (string | undefined)[], caseSensitive = true) =>
      candidates.some((candidate) =>
        candidate === undefined
          ? false
          : caseSensitive
            ? candidate.startsWith(value)
            : candidate.toLowerCase().startsWith(value.toLowerCase()),
      );
    let hit: boolean;
    switch (key) {
      case 'name':
        hit = prefix([secret.name]);
        break;
      case 'description':
        hit = prefix([secret.description], false);
        break;
      case 'tag-key':
        hit = prefix(secret.tags.map((tag) => tag.Key));
        break;
      case 'tag-value':
        hit = prefix(secret.tags.map((tag) => tag.Value));
        break;
      case 'primary-region':
      case 'owning-service':
        // Local secrets are not replicated and not owned by another service.
        hit = false;
        break;
      default: {
        const haystack = [
          secret.name,
          secret.description ?? '',
          ...secret.tags.flatMap((tag) => [tag.Key, tag.Value]),
        ].flatMap(wordsOf);
        hit = wordsOf(value).every((word) => haystack.some((candidate) => candidate.startsWith(word)));
      }
    }
    return negate ? !hit : hit;
  }

  private listSecrets(request: Request) {
    const filters = request.Filters === undefined ? [] : request.Filters;
    if (!Array.isArray(filters))
      throw new SecretsManagerError('SerializationException', 'Filters must be a list.');
    for (const filter of filters as { Key?: unknown; Values?: unknown }[]) {
      if (typeof filter.Key !== 'string' || !FILTER_KEYS.includes(filter.Key))
        throw validation(
          `Value '${String(filter.Key)}' at 'filters.member.key' failed to satisfy constraint: Member must satisfy enum value set: [${FILTER_KEYS.join(', ')}]`,
        );
      if (!Array.isArray(filter.Values) || filter.Values.length < 1 || filter.Values.length > 10)
        throw invalidParameter('Each filter needs 1 to 10 values.');
      for (const value of filter.Values)
        if (typeof value !== 'string' || value.length > 512 || !FILTER_VALUE_PATTERN.test(value))
          throw invalidParameter('A filter value contains characters that are not allowed.');
    }
    const sortOrder = request.SortOrder ?? 'desc';
    if (sortOrder !== 'asc' && sortOrder !== 'desc')
      throw validation(
        `Value '${String(sortOrder)}' at 'sortOrder' failed to satisfy constraint: Member must satisfy enum value set: [asc, desc]`,
      );
    const includeDeleted = request.IncludePlannedDeletion === true;
    const maxResults = maxResultsOf(request, 100);
    // Listed by creation date, as AWS documents for SortOrder; the name breaks ties.
    const order = (a: PageToken, b: PageToken) =>
      (a[0] - b[0] || a[1].localeCompare(b[1])) * (sortOrder === 'asc' ? 1 : -1);
    const matching = [...this.secrets.values()]
      .filter((secret) => includeDeleted || secret.deletedDate === undefined)
      .filter((secret) =>
        (filters as { Key: string; Values: string[] }[]).every((filter) =>
          filter.Values.some((value) => this.matches(secret, filter.Key, value)),
        ),
      )
      .sort((a, b) => order([a.createdDate, a.name], [b.createdDate, b.name]));
    const { page, next } = pageAfter(
      matching,
      (secret) => [secret.createdDate, secret.name],
      order,
      request.NextToken,
      maxResults,
    );
    return {
      // …and ListSecrets names them SecretVersionsToStages.
      SecretList: page.map((secret) => ({
        ...this.common(secret),
        SecretVersionsToStages: this.stages(secret),
      })),
      ...(next ? { NextToken: next } : {}),
    };
  }
}
