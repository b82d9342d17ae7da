import { randomBytes, randomUUID } from 'node:crypto';

/**
 * A faithful-enough, in-process model of AWS Secrets Manager for local runs and tests: the
 * operations this service uses, with AWS's error names and the behaviours that matter (request-token
 * idempotency, version stages, scheduled deletion, limits). A dev/test tool, never deployed.
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

interface StoredSecret {
  readonly arn: string;
  readonly name: string;
  readonly description?: string;
  readonly kmsKeyId?: string;
  tags: { Key: string; Value: string }[];
  readonly createdDate: number;
  lastChangedDate: number;
  deletedDate?: number;
  versions: SecretVersion[];
}

export interface SecretsManagerSnapshot {
  readonly secrets: StoredSecret[];
}

type Request = Record<string, unknown>;

const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const MAX_SECRET_BYTES = 65_536;
const seconds = () => Date.now() / 1000;

const invalidParameter = (message: string) => new SecretsManagerError('InvalidParameterException', message);
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
    if (required) throw invalidParameter(`${name} is required.`);
    return undefined;
  }
  if (typeof value !== 'string') throw invalidParameter(`${name} must be a string.`);
  return value;
};

const checkToken = (token: string | undefined): string => {
  if (token === undefined) return randomUUID();
  if (token.length < 32 || token.length > 64) {
    throw invalidParameter('ClientRequestToken must be between 32 and 64 characters.');
  }
  return token;
};

const checkSecretString = (request: Request): string => {
  const value = stringField(request, 'SecretString', true) ?? '';
  if (Buffer.byteLength(value, 'utf8') > MAX_SECRET_BYTES) {
    throw invalidParameter('SecretString must be at most 65536 bytes.');
  }
  return value;
};

export class SecretsManagerState {
  private readonly secrets = new Map<string, StoredSecret>();

  constructor(
    private readonly region = 'us-east-1',
    private readonly accountId = '000000000000',
    snapshot?: SecretsManagerSnapshot,
  ) {
    for (const secret of snapshot?.secrets ?? []) this.secrets.set(secret.name, secret);
  }

  snapshot(): SecretsManagerSnapshot {
    return { secrets: [...this.secrets.values()] };
  }

  handle(operation: string, request: Request): Record<string, unknown> {
    switch (operation) {
      case 'CreateSecret':
        return this.createSecret(request);
      case 'PutSecretValue':
        return this.putSecretValue(request);
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
      case 'TagResource':
        return this.tagResource(request);
      default:
        throw new SecretsManagerError('InvalidAction', `The local endpoint does not implement ${operation}.`);
    }
  }

  private find(secretId: string | undefined): StoredSecret {
    if (!secretId) throw invalidParameter('SecretId is required.');
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
    this.moveLabels(secret, stages);
    secret.versions.push({ versionId, secretString, createdDate: seconds(), stages });
    // Like AWS, versions with no stage are eventually deprecated; keep the 100 newest.
    secret.versions = secret.versions.filter(
      (version, index, all) => version.stages.length > 0 || index >= all.length - 100,
    );
    secret.lastChangedDate = seconds();
  }

  private createSecret(request: Request) {
    const name = stringField(request, 'Name', true) ?? '';
    if (!NAME_PATTERN.test(name)) throw invalidParameter('Name contains invalid characters or is too long.');
    const secretString = checkSecretString(request);
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
      createdDate: seconds(),
      lastChangedDate: seconds(),
      versions: [],
    };
    this.addVersion(secret, token, secretString, ['AWSCURRENT']);
    this.secrets.set(name, secret);
    return { ARN: secret.arn, Name: name, VersionId: token };
  }

  private putSecretValue(request: Request) {
    const secret = this.live(stringField(request, 'SecretId'));
    const secretString = checkSecretString(request);
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
    const stages = Array.isArray(request.VersionStages)
      ? (request.VersionStages as string[])
      : ['AWSCURRENT'];
    this.addVersion(secret, token, secretString, stages);
    return { ARN: secret.arn, Name: secret.name, VersionId: token, VersionStages: stages };
  }

  private getSecretValue(request: Request) {
    const secret = this.live(stringField(request, 'SecretId'));
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

  private describe(secret: StoredSecret) {
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      Tags: secret.tags,
      CreatedDate: secret.createdDate,
      LastChangedDate: secret.lastChangedDate,
      ...(secret.deletedDate === undefined ? {} : { DeletedDate: secret.deletedDate }),
      VersionIdsToStages: Object.fromEntries(
        secret.versions
          .filter((version) => version.stages.length > 0)
          .map((version) => [version.versionId, version.stages]),
      ),
    };
  }

  private describeSecret(request: Request) {
    return this.describe(this.find(stringField(request, 'SecretId')));
  }

  private deleteSecret(request: Request) {
    const secret = this.find(stringField(request, 'SecretId'));
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
      throw invalidParameter('RecoveryWindowInDays must be an integer from 7 to 30.');
    }
    if (force) {
      this.secrets.delete(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds() };
    }
    if (secret.deletedDate !== undefined) {
      throw new SecretsManagerError(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
    secret.deletedDate = seconds();
    const deletionDate = secret.deletedDate + ((window as number | undefined) ?? 30) * 86_400;
    return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate };
  }

  private restoreSecret(request: Request) {
    const secret = this.find(stringField(request, 'SecretId'));
    delete secret.deletedDate;
    return { ARN: secret.arn, Name: secret.name };
  }

  private tagResource(request: Request) {
    const secret = this.live(stringField(request, 'SecretId'));
    const tags = Array.isArray(request.Tags) ? (request.Tags as { Key: string; Value: string }[]) : [];
    const keys = new Set(tags.map((tag) => tag.Key));
    secret.tags = [...secret.tags.filter((tag) => !keys.has(tag.Key)), ...tags];
    return {};
  }

  private listSecrets(request: Request) {
    const filters = Array.isArray(request.Filters)
      ? (request.Filters as { Key: string; Values: string[] }[])
      : [];
    const includeDeleted = request.IncludePlannedDeletion === true;
    const maxResults =
      typeof request.MaxResults === 'number' ? Math.min(Math.max(request.MaxResults, 1), 100) : 100;
    const start = typeof request.NextToken === 'string' ? Number(request.NextToken) : 0;
    const matching = [...this.secrets.values()]
      .filter((secret) => includeDeleted || secret.deletedDate === undefined)
      .filter((secret) =>
        filters.every((filter) => {
          if (filter.Key === 'name') return filter.Values.some((value) => secret.name.startsWith(value));
          if (filter.Key === 'tag-key')
            return filter.Values.some((value) => secret.tags.some((tag) => tag.Key === value));
          if (filter.Key === 'tag-value') {
            return filter.Values.some((value) => secret.tags.some((tag) => tag.Value === value));
          }
          return true;
        }),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
    const page = matching.slice(start, start + maxResults);
    const next = start + maxResults < matching.length ? String(start + maxResults) : undefined;
    return { SecretList: page.map((secret) => this.describe(secret)), ...(next ? { NextToken: next } : {}) };
  }
}
