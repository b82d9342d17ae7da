import { runSimulation } from '@cloud-copilot/iam-simulate';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseTenants, type TenantConfig } from '../../infra/tenant-config.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import type { IamRequest } from '../../shared/adapters/aws/iam-requests.ts';

/**
 * Evaluates recorded AWS calls against the roles of a synthesized tenant stack with
 * `@cloud-copilot/iam-simulate`: the role's identity policies, plus the key policy for KMS. The
 * template's intrinsics are resolved to the names AWS would give (each resource's physical name is
 * its logical id), so a recorded call is judged against exactly the statements CDK wrote.
 */

type Json = unknown;
type Resource = { Type: string; Properties?: Record<string, Json> };
type PolicyDocument = { Version: string; Statement: Json[] };

export interface EvaluatedRequest {
  readonly action: string;
  readonly resource: string;
  readonly context: Readonly<Record<string, string | readonly string[]>>;
}

export interface FunctionRole {
  readonly functionName: string;
  readonly roleArn: string;
  readonly policies: { name: string; policy: PolicyDocument }[];
  /** What Lambda itself does with the function's role: its logs, and reading its event sources. */
  readonly platformRequests: EvaluatedRequest[];
}

export interface SynthesizedTenant {
  readonly account: string;
  readonly region: string;
  readonly tableName: string;
  readonly keyArn: string;
  readonly keyPolicy: PolicyDocument;
  readonly eventBusName: string;
  readonly roles: ReadonlyMap<string, FunctionRole>;
}

const ACCOUNT = '111111111111';
const REGION = 'eu-west-1';

const arnOf = (resources: Record<string, Resource>, logicalId: string, attribute: string): string => {
  const type = resources[logicalId]?.Type;
  const at = `${REGION}:${ACCOUNT}`;
  switch (`${type}.${attribute}`) {
    case 'AWS::DynamoDB::Table.Arn':
      return `arn:aws:dynamodb:${at}:table/${logicalId}`;
    case 'AWS::DynamoDB::Table.StreamArn':
      return `arn:aws:dynamodb:${at}:table/${logicalId}/stream/2026-01-01T00:00:00.000`;
    case 'AWS::KMS::Key.Arn':
      return `arn:aws:kms:${at}:key/${logicalId}`;
    case 'AWS::Logs::LogGroup.Arn':
      return `arn:aws:logs:${at}:log-group:${logicalId}:*`;
    case 'AWS::SQS::Queue.Arn':
      return `arn:aws:sqs:${at}:${logicalId}`;
    case 'AWS::Events::EventBus.Arn':
      return `arn:aws:events:${at}:event-bus/${logicalId}`;
    case 'AWS::IAM::Role.Arn':
      return `arn:aws:iam::${ACCOUNT}:role/${logicalId}`;
    default:
      throw new Error(`No ARN known for ${type}.${attribute} (${logicalId}); teach the resolver.`);
  }
};

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': REGION,
  'AWS::AccountId': ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** Replaces Ref, Fn::GetAtt and Fn::Join with the values they take in a deployed stack. */
const resolverFor = (resources: Record<string, Resource>) => {
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value as Record<string, Json>);
    const [only] = entries;
    if (entries.length === 1 && only) {
      const [name, argument] = only;
      if (name === 'Ref') {
        const ref = String(argument);
        if (ref in PSEUDO) return PSEUDO[ref];
        if (!resources[ref]) throw new Error(`Ref to an unknown resource ${ref}`);
        return ref;
      }
      if (name === 'Fn::GetAtt') {
        const [logicalId, attribute] = argument as [string, string];
        return arnOf(resources, logicalId, attribute);
      }
      if (name === 'Fn::Join') {
        const [separator, parts] = argument as [string, Json[]];
        return parts.map((part) => String(resolve(part))).join(separator);
      }
      if (name.startsWith('Fn::')) throw new Error(`Unresolved intrinsic ${name}; teach the resolver.`);
    }
    return Object.fromEntries(entries.map(([key, inner]) => [key, resolve(inner)]));
  };
  return resolve;
};

const first = <T>(items: T[], what: string): T => {
  const [item] = items;
  if (item === undefined) throw new Error(`The template has no ${what}.`);
  return item;
};

/** Synthesizes one tenant's stack (bundling skipped) and reads each function's role from it. */
export const synthesizeTenant = (
  tenant: Pick<TenantConfig, 'id' | 'jwtIssuer' | 'jwtAudience'>,
): SynthesizedTenant => {
  const input = { ...tenant, account: ACCOUNT, region: REGION };
  const app = new App({ context: { 'credentials-service:tenants': [input], 'aws:cdk:bundling-stacks': [] } });
  const config = first(parseTenants([input]), 'tenant');
  const template = Template.fromStack(new TenantStack(app, `Credentials-${tenant.id}`, config)).toJSON() as {
    Resources: Record<string, Resource>;
  };
  const resources = template.Resources;
  const resolve = resolverFor(resources);
  const ofType = (type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const [keyId, key] = first(ofType('AWS::KMS::Key'), 'KMS key');
  const [tableId] = first(ofType('AWS::DynamoDB::Table'), 'table');
  const [busId] = first(ofType('AWS::Events::EventBus'), 'event bus');
  const keyArn = arnOf(resources, keyId, 'Arn');

  const roles = new Map<string, FunctionRole>();
  for (const [functionId, fn] of ofType('AWS::Lambda::Function')) {
    const properties = fn.Properties ?? {};
    const functionName = String(
      (properties.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables?.FUNCTION_KEY,
    );
    const roleId = (properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const policies = ofType('AWS::IAM::Policy')
      .filter(([, policy]) =>
        ((policy.Properties?.Roles ?? []) as { Ref: string }[]).some((role) => role.Ref === roleId),
      )
      .map(([name, policy]) => ({
        name,
        policy: resolve(policy.Properties?.PolicyDocument) as PolicyDocument,
      }));
    const logGroup = resolve((properties.LoggingConfig as { LogGroup: Json }).LogGroup);
    const stream = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${logGroup}:log-stream:2026/12/02/[$LATEST]0123`;
    // The execution role's documented duties: writing the function's logs, and for a stream event
    // source reading the stream (the table key decrypts its records) and parking failed batches.
    const platformRequests: EvaluatedRequest[] = [
      { action: 'logs:CreateLogStream', resource: stream, context: {} },
      { action: 'logs:PutLogEvents', resource: stream, context: {} },
    ];
    for (const [, mapping] of ofType('AWS::Lambda::EventSourceMapping')) {
      const mapped = mapping.Properties ?? {};
      if ((mapped.FunctionName as { Ref?: string }).Ref !== functionId) continue;
      const streamArn = String(resolve(mapped.EventSourceArn));
      for (const action of ['DescribeStream', 'GetRecords', 'GetShardIterator'])
        platformRequests.push({ action: `dynamodb:${action}`, resource: streamArn, context: {} });
      platformRequests.push({ action: 'dynamodb:ListStreams', resource: '*', context: {} });
      platformRequests.push({
        action: 'kms:Decrypt',
        resource: keyArn,
        context: { 'kms:ViaService': `dynamodb.${REGION}.amazonaws.com`, 'kms:CallerAccount': ACCOUNT },
      });
      const destination = (mapped.DestinationConfig as { OnFailure?: { Destination: Json } } | undefined)
        ?.OnFailure?.Destination;
      if (destination)
        platformRequests.push({
          action: 'sqs:SendMessage',
          resource: String(resolve(destination)),
          context: {},
        });
    }
    roles.set(functionName, {
      functionName,
      roleArn: arnOf(resources, roleId, 'Arn'),
      policies,
      platformRequests,
    });
  }
  return {
    account: ACCOUNT,
    region: REGION,
    tableName: tableId,
    keyArn,
    keyPolicy: resolve(key.Properties?.KeyPolicy) as PolicyDocument,
    eventBusName: busId,
    roles,
  };
};

/** Where the local run's names land in the stack: its table and its bus become the stack's. */
export interface LocalNames {
  readonly tableName: string;
  readonly eventBusName: string;
}

/** The ARN and context AWS would authorize for a recorded call made inside the synthesized stack. */
export const inStack = (
  stack: SynthesizedTenant,
  local: LocalNames,
  request: IamRequest,
): EvaluatedRequest => {
  const at = `${stack.region}:${stack.account}`;
  const secretArn = (secret: string) =>
    secret.startsWith('arn:') ? secret : `arn:aws:secretsmanager:${at}:secret:${secret}-AbCdEf`;
  const resource = request.resource;
  if ('table' in resource) {
    if (resource.table !== local.tableName) throw new Error(`A call to another table: ${resource.table}`);
    const table = `arn:aws:dynamodb:${at}:table/${stack.tableName}`;
    return { ...request, resource: resource.index ? `${table}/index/${resource.index}` : table };
  }
  if ('keyUsedBy' in resource) {
    return {
      action: request.action,
      resource: stack.keyArn,
      context: {
        ...request.context,
        'kms:ViaService': `${resource.keyUsedBy}.${stack.region}.amazonaws.com`,
        'kms:CallerAccount': stack.account,
        'kms:EncryptionContext:SecretARN': secretArn(resource.secret),
      },
    };
  }
  if ('secret' in resource) return { ...request, resource: secretArn(resource.secret) };
  if ('eventBus' in resource) {
    if (resource.eventBus !== local.eventBusName)
      throw new Error(`A call to another bus: ${resource.eventBus}`);
    return { ...request, resource: `arn:aws:events:${at}:event-bus/${stack.eventBusName}` };
  }
  return { ...request, resource: '*' };
};

/** 'Allowed', or how IAM would refuse (ImplicitlyDenied, ExplicitlyDenied), or why it could not say. */
export const evaluate = async (
  stack: SynthesizedTenant,
  role: FunctionRole,
  request: EvaluatedRequest,
): Promise<string> => {
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: request.action,
        resource: { resource: request.resource, accountId: stack.account },
        contextVariables: Object.fromEntries(
          Object.entries(request.context).map(([key, value]) => [
            key,
            typeof value === 'string' ? value : [...value],
          ]),
        ),
      },
      identityPolicies: role.policies,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(request.action.startsWith('kms:') ? { resourcePolicy: stack.keyPolicy } : {}),
    },
    { simulationMode: 'Strict' },
  );
  if (result.resultType === 'error') return `error: ${JSON.stringify(result.errors)}`;
  return String(result.overallResult);
};
