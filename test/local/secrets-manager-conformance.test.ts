import { readFileSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalSecretsManager,
  startLocalSecretsManager,
} from '../../local/secrets-manager/secrets-manager-server.ts';
import {
  MAX_VERSIONS,
  REGION_WRITE_RATE_PER_SECOND,
  SecretsManagerState,
  UNLABELLED_VERSION_RETENTION_SECONDS,
} from '../../local/secrets-manager/secrets-manager-state.ts';

const token = (n: number) => `conformance-token-${String(n).padStart(20, '0')}`;
const clientFor = (endpoint: string) =>
  new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    maxAttempts: 1,
  });

/**
 * The local endpoint against the AWS Secrets Manager API reference (request and response shapes,
 * error names, pagination), through the AWS SDK v3 client: what the tests of the service can only
 * catch if the endpoint behaves as AWS does.
 */
describe('local Secrets Manager conformance', () => {
  let endpoint: LocalSecretsManager;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    endpoint = await startLocalSecretsManager();
    client = clientFor(endpoint.endpoint);
    const create = (Name: string, Description: string, Tags: { Key: string; Value: string }[]) =>
      client.send(new CreateSecretCommand({ Name, Description, Tags, SecretString: '{}' }));
    await create('svc/alpha', 'Database Password for Orders', [{ Key: 'tenant', Value: 'acme' }]);
    await create('svc/beta', 'api key', [{ Key: 'tenant', Value: 'globex' }]);
    await create('other/gamma', 'Something else', [{ Key: 'team', Value: 'acme-ops' }]);
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  const names = async (input: ListSecretsCommandInput) =>
    ((await client.send(new ListSecretsCommand(input))).SecretList ?? []).map((secret) => secret.Name).sort();

  it('names the stages SecretVersionsToStages in ListSecrets and VersionIdsToStages in DescribeSecret', async () => {
    const listed = await client.send(
      new ListSecretsCommand({ Filters: [{ Key: 'name', Values: ['svc/alpha'] }] }),
    );
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'svc/alpha' }));
    expect(Object.values(listed.SecretList?.[0]?.SecretVersionsToStages ?? {})).toEqual([['AWSCURRENT']]);
    expect(Object.values(described.VersionIdsToStages ?? {})).toEqual([['AWSCURRENT']]);
  });

  it('filters by prefix (case-sensitive except description), with ! negation and all', async () => {
    expect(await names({ Filters: [{ Key: 'name', Values: ['svc/'] }] })).toEqual(['svc/alpha', 'svc/beta']);
    expect(await names({ Filters: [{ Key: 'name', Values: ['SVC/'] }] })).toEqual([]);
    expect(await names({ Filters: [{ Key: 'description', Values: ['database'] }] })).toEqual(['svc/alpha']);
    expect(await names({ Filters: [{ Key: 'tag-key', Values: ['ten'] }] })).toEqual([
      'svc/alpha',
      'svc/beta',
    ]);
    expect(await names({ Filters: [{ Key: 'tag-value', Values: ['acme'] }] })).toEqual([
      'other/gamma',
      'svc/alpha',
    ]);
    expect(
      await names({
        Filters: [
          { Key: 'name', Values: ['svc/'] },
          { Key: 'tag-value', Values: ['!glob'] },
        ],
      }),
    ).toEqual(['svc/alpha']);
    expect(await names({ Filters: [{ Key: 'all', Values: ['orders'] }] })).toEqual(['svc/alpha']);
    expect(await names({ Filters: [{ Key: 'primary-region', Values: ['us'] }] })).toEqual([]);
  });

  it('paginates with MaxResults and an opaque NextToken, in the SortOrder asked for', async () => {
    const first = await client.send(new ListSecretsCommand({ MaxResults: 2, SortOrder: 'asc' }));
    const second = await client.send(
      new ListSecretsCommand({ MaxResults: 2, SortOrder: 'asc', NextToken: first.NextToken }),
    );
    expect(first.SecretList?.map((secret) => secret.Name)).toEqual(['svc/alpha', 'svc/beta']);
    expect(second.SecretList?.map((secret) => secret.Name)).toEqual(['other/gamma']);
    expect(second.NextToken).toBeUndefined();
    const descending = await client.send(new ListSecretsCommand({ SortOrder: 'desc' }));
    expect(descending.SecretList?.[0]?.Name).toBe('other/gamma');
  });

  it('refuses a forged NextToken and a MaxResults outside 1-100', async () => {
    await expect(client.send(new ListSecretsCommand({ NextToken: 'garbage' }))).rejects.toBeInstanceOf(
      InvalidNextTokenException,
    );
    for (const MaxResults of [0, 101])
      await expect(client.send(new ListSecretsCommand({ MaxResults }))).rejects.toMatchObject({
        name: 'ValidationException',
        $metadata: { httpStatusCode: 400 },
      });
  });

  it('answers malformed JSON and missing parameters with 400 and the documented names', async () => {
    const post = (body: string) =>
      fetch(endpoint.endpoint, {
        method: 'POST',
        headers: {
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'content-type': 'application/x-amz-json-1.1',
        },
        body,
      });
    const malformed = await post('{not json');
    const missing = await post('{}');
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { __type: string }).__type).toBe('ValidationException');
  });

  it('moves staging labels as AWS does: AWSCURRENT takes AWSPREVIOUS along, custom labels move alone', async () => {
    const created = await client.send(
      new CreateSecretCommand({ Name: 'stage/a', SecretString: 'v1', ClientRequestToken: token(1) }),
    );
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'stage/a',
        SecretString: 'v2',
        ClientRequestToken: token(2),
        VersionStages: ['PENDING'],
      }),
    );
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'stage/a',
        SecretString: 'v3',
        ClientRequestToken: token(3),
        VersionStages: ['PENDING'],
      }),
    );
    const stages = async () =>
      Object.fromEntries(
        (
          (
            await client.send(
              new ListSecretVersionIdsCommand({ SecretId: 'stage/a', IncludeDeprecated: true }),
            )
          ).Versions ?? []
        ).map((version) => [version.VersionId, version.VersionStages]),
      );
    expect(await stages()).toEqual({ [token(1)]: ['AWSCURRENT'], [token(2)]: [], [token(3)]: ['PENDING'] });

    await expect(
      client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: 'stage/a',
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: token(3),
        }),
      ),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await client.send(
      new UpdateSecretVersionStageCommand({
        SecretId: 'stage/a',
        VersionStage: 'AWSCURRENT',
        MoveToVersionId: token(3),
        RemoveFromVersionId: created.VersionId,
      }),
    );
    expect(await stages()).toEqual({
      [token(1)]: ['AWSPREVIOUS'],
      [token(2)]: [],
      [token(3)]: ['PENDING', 'AWSCURRENT'],
    });
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'stage/a' }))).SecretString).toBe('v3');

    const updated = await client.send(
      new UpdateSecretCommand({
        SecretId: 'stage/a',
        SecretString: 'v4',
        ClientRequestToken: token(4),
        Description: 'd',
      }),
    );
    expect(updated.VersionId).toBe(token(4));
    expect(await stages()).toMatchObject({
      [token(3)]: ['PENDING', 'AWSPREVIOUS'],
      [token(4)]: ['AWSCURRENT'],
    });
  });

  it('removes tags with UntagResource', async () => {
    await client.send(new TagResourceCommand({ SecretId: 'svc/beta', Tags: [{ Key: 'extra', Value: 'x' }] }));
    await client.send(new UntagResourceCommand({ SecretId: 'svc/beta', TagKeys: ['extra'] }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: 'svc/beta' }));
    expect(described.Tags).toEqual([{ Key: 'tenant', Value: 'globex' }]);
  });

  it('refuses a second DeleteSecret with AWS wording and shows DeletedDate', async () => {
    await client.send(new CreateSecretCommand({ Name: 'del/a', SecretString: 'x' }));
    await client.send(new DeleteSecretCommand({ SecretId: 'del/a', RecoveryWindowInDays: 7 }));
    const again = client.send(new DeleteSecretCommand({ SecretId: 'del/a', RecoveryWindowInDays: 7 }));
    await expect(again).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(again).rejects.toMatchObject({
      message: "You can't perform this operation on the secret because it was marked for deletion.",
    });
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'del/a' }))).DeletedDate).toBeInstanceOf(
      Date,
    );
  });
});

describe('local Secrets Manager over time', () => {
  it('keeps unlabelled versions 24 hours and refuses the version past the quota, as AWS documents', () => {
    let now = 1_000_000;
    const state = new SecretsManagerState('us-east-1', '000000000000', undefined, () => now);
    state.handle('CreateSecret', { Name: 'busy/a', SecretString: 'v0' });
    // One write a minute: 100 versions within the hour, none of them removable yet.
    for (let index = 1; index < MAX_VERSIONS; index++) {
      now += 60;
      state.handle('PutSecretValue', { SecretId: 'busy/a', SecretString: `v${index}` });
    }
    now += 60;
    expect(() => state.handle('PutSecretValue', { SecretId: 'busy/a', SecretString: 'one more' })).toThrow(
      expect.objectContaining({ type: 'LimitExceededException' }),
    );
    const versions = state.handle('ListSecretVersionIds', { SecretId: 'busy/a', IncludeDeprecated: true });
    expect((versions.Versions as unknown[]).length).toBe(MAX_VERSIONS);
    expect(state.writeAccounting()).toMatchObject({ versionQuotaRefusals: 1 });
    // A day later the oldest unlabelled versions are removable: writes go through again.
    now += UNLABELLED_VERSION_RETENTION_SECONDS;
    state.handle('PutSecretValue', { SecretId: 'busy/a', SecretString: 'a day later' });
    const after = state.handle('ListSecretVersionIds', { SecretId: 'busy/a', IncludeDeprecated: true });
    expect((after.Versions as unknown[]).length).toBe(MAX_VERSIONS);
  });

  it('shares 50 writes a second across the account, then answers ThrottlingException; the peak is readable', () => {
    const now = 2_000_000;
    const state = new SecretsManagerState('us-east-1', '000000000000', undefined, () => now);
    for (let index = 0; index < 60; index++)
      state.handle('CreateSecret', { Name: `rate/${index}`, SecretString: 'v' });
    for (let index = 0; index < REGION_WRITE_RATE_PER_SECOND; index++)
      state.handle('PutSecretValue', { SecretId: `rate/${index}`, SecretString: 'w' });
    expect(() => state.handle('UpdateSecret', { SecretId: 'rate/55', SecretString: 'x' })).toThrow(
      expect.objectContaining({ type: 'ThrottlingException' }),
    );
    expect(state.writeAccounting()).toEqual({
      writes: REGION_WRITE_RATE_PER_SECOND,
      peakWritesPerSecond: REGION_WRITE_RATE_PER_SECOND,
      throttled: 1,
      versionQuotaRefusals: 0,
    });
  });

  it('removes a secret for good at the end of its recovery window', () => {
    let now = 1_000_000;
    const state = new SecretsManagerState('us-east-1', '000000000000', undefined, () => now);
    state.handle('CreateSecret', { Name: 'gone/a', SecretString: 'x' });
    state.handle('DeleteSecret', { SecretId: 'gone/a', RecoveryWindowInDays: 7 });
    now += 7 * 86_400 - 1;
    expect(state.handle('DescribeSecret', { SecretId: 'gone/a' })).toHaveProperty('DeletedDate');
    now += 2;
    expect(() => state.handle('DescribeSecret', { SecretId: 'gone/a' })).toThrow(/can't find/);
    expect(state.snapshot().secrets).toEqual([]);
  });

  it('persists each change as one appended line and replays it after a restart', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'sm-persist-'));
    const persistPath = join(directory, 'state.json');
    try {
      const first = await startLocalSecretsManager({ persistPath });
      const client = clientFor(first.endpoint);
      for (let index = 0; index < 20; index++)
        await client.send(new CreateSecretCommand({ Name: `p/${index}`, SecretString: `v${index}` }));
      const snapshotSize = statSync(persistPath).size;
      await client.send(new PutSecretValueCommand({ SecretId: 'p/3', SecretString: 'changed' }));
      expect(statSync(persistPath).size).toBe(snapshotSize);
      expect(readFileSync(`${persistPath}.log`, 'utf8').trim().split('\n')).toHaveLength(21);
      client.destroy();
      await first.stop();

      const second = await startLocalSecretsManager({ persistPath });
      const again = clientFor(second.endpoint);
      expect((await again.send(new GetSecretValueCommand({ SecretId: 'p/3' }))).SecretString).toBe('changed');
      expect(((await again.send(new ListSecretsCommand({}))).SecretList ?? []).length).toBe(20);
      again.destroy();
      await second.stop();
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});
