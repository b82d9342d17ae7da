import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type LocalSecretsManager,
  startLocalSecretsManager,
} from '../../local/secrets-manager/secrets-manager-server.ts';

const token = (n: number) => `token-${String(n).padStart(30, '0')}`;

describe('local Secrets Manager endpoint, through the real SDK client', () => {
  let endpoint: LocalSecretsManager;
  let client: SecretsManagerClient;
  beforeAll(async () => {
    endpoint = await startLocalSecretsManager();
    client = new SecretsManagerClient({
      endpoint: endpoint.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.stop();
  });

  it('treats a repeated ClientRequestToken with the same value as a no-op, and a different value as an error', async () => {
    const first = await client.send(
      new CreateSecretCommand({ Name: 'idem/a', SecretString: '{"k":1}', ClientRequestToken: token(1) }),
    );
    const again = await client.send(
      new CreateSecretCommand({ Name: 'idem/a', SecretString: '{"k":1}', ClientRequestToken: token(1) }),
    );
    expect(again.VersionId).toBe(first.VersionId);
    await expect(
      client.send(
        new CreateSecretCommand({ Name: 'idem/a', SecretString: '{"k":2}', ClientRequestToken: token(2) }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'idem/a',
        SecretString: '{"k":3}',
        ClientRequestToken: token(3),
      }),
    );
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'idem/a',
        SecretString: '{"k":3}',
        ClientRequestToken: token(3),
      }),
    );
    await expect(
      client.send(
        new PutSecretValueCommand({
          SecretId: 'idem/a',
          SecretString: '{"k":4}',
          ClientRequestToken: token(3),
        }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('moves AWSCURRENT and AWSPREVIOUS and reads versions by id or stage', async () => {
    const v1 = await client.send(new CreateSecretCommand({ Name: 'stages/a', SecretString: 'one' }));
    await client.send(new PutSecretValueCommand({ SecretId: 'stages/a', SecretString: 'two' }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'stages/a' }))).SecretString).toBe('two');
    expect(
      (await client.send(new GetSecretValueCommand({ SecretId: 'stages/a', VersionStage: 'AWSPREVIOUS' })))
        .SecretString,
    ).toBe('one');
    expect(
      (await client.send(new GetSecretValueCommand({ SecretId: 'stages/a', VersionId: v1.VersionId })))
        .SecretString,
    ).toBe('one');
  });

  it('rejects reads and recreation of a secret scheduled for deletion until it is restored', async () => {
    await client.send(
      new CreateSecretCommand({
        Name: 'deleted/a',
        SecretString: 'x',
        Tags: [{ Key: 'tenant', Value: 't' }],
      }),
    );
    await expect(
      client.send(new DeleteSecretCommand({ SecretId: 'deleted/a', RecoveryWindowInDays: 3 })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    const deleted = await client.send(
      new DeleteSecretCommand({ SecretId: 'deleted/a', RecoveryWindowInDays: 7 }),
    );
    expect(deleted.DeletionDate).toBeInstanceOf(Date);
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'deleted/a' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    await expect(
      client.send(new CreateSecretCommand({ Name: 'deleted/a', SecretString: 'y' })),
    ).rejects.toBeInstanceOf(InvalidRequestException);
    await client.send(new RestoreSecretCommand({ SecretId: 'deleted/a' }));
    expect((await client.send(new GetSecretValueCommand({ SecretId: 'deleted/a' }))).SecretString).toBe('x');
    expect((await client.send(new DescribeSecretCommand({ SecretId: 'deleted/a' }))).Tags).toEqual([
      { Key: 'tenant', Value: 't' },
    ]);
    await client.send(new DeleteSecretCommand({ SecretId: 'deleted/a', ForceDeleteWithoutRecovery: true }));
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'deleted/a' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('enforces the 64 KB value limit and the name rules', async () => {
    await expect(
      client.send(new CreateSecretCommand({ Name: 'big', SecretString: 'x'.repeat(65_537) })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    await expect(
      client.send(new CreateSecretCommand({ Name: 'bad name!', SecretString: 'x' })),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});
