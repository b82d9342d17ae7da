import { describe, expect, it } from 'vitest';
import { iamRequestsOf } from '../../../../shared/adapters/aws/iam-requests.ts';

describe('what IAM sees of a call', () => {
  it('names the partition key a query pins, on the table or on an index', () => {
    expect(
      iamRequestsOf('dynamodb', 'Query', {
        TableName: 't',
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK < :after',
        ExpressionAttributeValues: { ':pk': { S: 'T#a#COMP#petstore' }, ':after': { S: 'x' } },
      }),
    ).toEqual([
      {
        action: 'dynamodb:Query',
        resource: { table: 't', index: 'GSI1' },
        context: { 'dynamodb:LeadingKeys': ['T#a#COMP#petstore'] },
      },
    ]);
    expect(
      iamRequestsOf('dynamodb', 'Query', {
        TableName: 't',
        KeyConditionExpression: '#pk = :v AND begins_with(SK, :p)',
        ExpressionAttributeNames: { '#pk': 'PK' },
        ExpressionAttributeValues: { ':v': { S: 'T#a' }, ':p': { S: 'USE#' } },
      })[0]?.context,
    ).toEqual({ 'dynamodb:LeadingKeys': ['T#a'] });
  });

  it('makes one request per transaction item, with its own action and key', () => {
    const requests = iamRequestsOf('dynamodb', 'TransactWriteItems', {
      TransactItems: [
        { Put: { TableName: 't', Item: { PK: { S: 'T#a' }, SK: { S: 'CRED#1' } } } },
        { ConditionCheck: { TableName: 't', Key: { PK: { S: 'T#a' }, SK: { S: 'COUNT#x' } } } },
        { Update: { TableName: 't', Key: { PK: { S: 'T#b' }, SK: { S: 'FLOW#f' } } } },
      ],
    });
    expect(requests.map((request) => [request.action, request.context['dynamodb:LeadingKeys']])).toEqual([
      ['dynamodb:PutItem', ['T#a']],
      ['dynamodb:ConditionCheckItem', ['T#a']],
      ['dynamodb:UpdateItem', ['T#b']],
    ]);
  });

  it('adds tagging and the KMS data key a secret write needs, and the decrypt a read needs', () => {
    const created = iamRequestsOf('secretsmanager', 'CreateSecret', {
      Name: 'credentials/a/1',
      SecretString: '{"apiKey":"never recorded"}',
      Tags: [{ Key: 'tenant', Value: 'a' }],
    });
    expect(created.map((request) => request.action)).toEqual([
      'secretsmanager:CreateSecret',
      'secretsmanager:TagResource',
      'kms:GenerateDataKey',
    ]);
    expect(created[0]?.context).toEqual({ 'aws:TagKeys': ['tenant'], 'aws:RequestTag/tenant': 'a' });
    expect(JSON.stringify(created)).not.toContain('never recorded');
    expect(
      iamRequestsOf('secretsmanager', 'GetSecretValue', { SecretId: 'credentials/a/1' }).map((r) => r.action),
    ).toEqual(['secretsmanager:GetSecretValue', 'kms:Decrypt']);
    expect(iamRequestsOf('secretsmanager', 'ListSecrets', {})[0]?.resource).toEqual({ anyResource: true });
  });

  it('names each bus PutEvents sends to', () => {
    expect(
      iamRequestsOf('events', 'PutEvents', { Entries: [{ EventBusName: 'b' }, { EventBusName: 'b' }] }),
    ).toEqual([{ action: 'events:PutEvents', resource: { eventBus: 'b' }, context: {} }]);
  });
});
