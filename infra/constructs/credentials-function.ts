import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '../../shared/adapters/dynamodb/table-definition.ts';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../function-catalog.ts';
import { functionBundleDirectory } from '../prebuilt-assets.ts';
import { timeBudgetOf, timingEnvironment } from '../time-budgets.ts';

export interface CredentialsFunctionProps {
  readonly functionName: AnyFunctionName;
  readonly tenantId: string;
  readonly table: dynamodb.ITable;
  readonly key: kms.IKey;
  readonly secretPrefix: string;
  readonly environment: Record<string, string>;
  readonly logRetention: logs.RetentionDays;
  readonly memorySize?: number;
  readonly timeout?: Duration;
  /** X-Ray active tracing. @default false */
  readonly tracing?: boolean;
  /** Runs the function in these subnets (only functions that verify or refresh get it). */
  readonly network?: {
    readonly vpc: ec2.IVpc;
    readonly subnets: ec2.SubnetSelection;
    readonly securityGroups: readonly ec2.ISecurityGroup[];
  };
}

/**
 * The one function construct: it owns runtime, architecture, bundling, memory and timeout, log
 * group and retention, environment, and the function's own least-privilege role built from
 * `FUNCTION_ACCESS`.
 */
/** Lambda's limit on a function's environment: every key and value together. */
export const LAMBDA_ENVIRONMENT_LIMIT_BYTES = 4096;
/** What a part that only CloudFormation resolves (an ARN, a name, a URL) is counted as. */
const UNRESOLVED_VALUE_BYTES = 256;
/** CDK's encoding of a token inside a string. */
const ENCODED_TOKEN = /\$\{Token\[[^\]]+\]\}/g;

/** The bytes a value will take once deployed: its literal text, plus a bound for each token in it. */
const deployedBytes = (value: string): number =>
  Token.isUnresolved(value)
    ? Buffer.byteLength(value.replace(ENCODED_TOKEN, '')) +
      (value.match(ENCODED_TOKEN)?.length ?? 1) * UNRESOLVED_VALUE_BYTES
    : Buffer.byteLength(value);

/**
 * Refuses at synthesis an environment Lambda would refuse at deploy. Lists from cdk.json (return
 * URLs, allowed hosts) are the unbounded part, so the message names them.
 */
export const checkedEnvironment = (functionName: string, environment: Record<string, string>) => {
  const size = Object.entries(environment).reduce(
    (total, [key, value]) => total + Buffer.byteLength(key) + deployedBytes(value),
    0,
  );
  if (size > LAMBDA_ENVIRONMENT_LIMIT_BYTES) {
    throw new Error(
      `${functionName}: its environment would take about ${size} bytes, over Lambda's ${LAMBDA_ENVIRONMENT_LIMIT_BYTES}-byte limit. ` +
        'Shorten the lists in cdk.json (connectReturnUrls, verificationAllowedHosts): a URL prefix covers every path below it.',
    );
  }
  return environment;
};

export class CredentialsFunction extends Construct {
  readonly function: lambda.Function;
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: CredentialsFunctionProps) {
    super(scope, id);
    const access = FUNCTION_ACCESS[props.functionName];
    const stack = Stack.of(this);

    const logGroup = new logs.LogGroup(this, 'Logs', { retention: props.logRetention });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName} (tenant ${props.tenantId}): ${access.description}`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );

    if (access.table.length > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: access.table.map((action) => `dynamodb:${action}`),
          resources: [
            props.table.tableArn,
            ...(access.table.includes('Query')
              ? TABLE_KEYS.globalIndexes.map((index) => `${props.table.tableArn}/index/${index.name}`)
              : []),
          ],
          // Defence in depth: every key this function touches starts with the tenant's prefix.
          conditions: {
            'ForAllValues:StringLike': {
              'dynamodb:LeadingKeys': [`T#${props.tenantId}`, `T#${props.tenantId}#*`],
            },
          },
        }),
      );
    }

    const kmsActions = new Set<string>();
    if (access.table.length > 0)
      for (const action of ['kms:Decrypt', 'kms:DescribeKey']) kmsActions.add(action);
    if (
      access.table.some((action) => action !== 'GetItem' && action !== 'Query' && action !== 'BatchGetItem')
    ) {
      for (const action of ['kms:Encrypt', 'kms:GenerateDataKey']) kmsActions.add(action);
    }
    // Secrets Manager decrypts a value's data key to read it and asks for a new one to write one.
    if (access.secrets.includes('GetSecretValue')) kmsActions.add('kms:Decrypt');
    if (access.secrets.some((action) => action === 'PutSecretValue' || action === 'CreateSecret')) {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) kmsActions.add(action);
    }
    if (kmsActions.size > 0) {
      role.addToPolicy(
        new iam.PolicyStatement({
          actions: [...kmsActions].sort(),
          resources: [props.key.keyArn],
          conditions: {
            StringEquals: {
              'kms:ViaService': [
                `dynamodb.${stack.region}.amazonaws.com`,
                `secretsmanager.${stack.region}.amazonaws.com`,
              ],
            },
          },
        }),
      );
    }

    if (access.secrets.length > 0) {
      const tenantSecrets = stack.formatArn({
        service: 'secretsmanager',
        resource: 'secret',
        resourceName: `${props.secretPrefix}/${props.tenantId}/*`,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
      const creates = access.secrets.filter(
        (action) => action === 'CreateSecret' || action === 'TagResource',
      );
      const others = access.secrets.filter((action) => action !== 'CreateSecret' && action !== 'TagResource');
      if (creates.length > 0) {
        role.addToPolicy(
          new iam.PolicyStatement({
            actions: creates.map((action) => `secretsmanager:${action}`),
            resources: [tenantSecrets],
            // New secrets must carry the tenant's tag.
            conditions: { StringEquals: { 'aws:RequestTag/tenant': props.tenantId } },
          }),
        );
      }
      if (others.length > 0) {
        role.addToPolicy(
          new iam.PolicyStatement({
            actions: others.map((action) => `secretsmanager:${action}`),
            resources: [tenantSecrets],
          }),
        );
      }
    }

    // The code is the function's prebuilt bundle (`npm run build`, shipped in the package): synthesis
    // bundles nothing, and what is deployed is exactly what the bundle tests load.
    this.function = new lambda.Function(this, 'Function', {
      code: lambda.Code.fromAsset(functionBundleDirectory(props.functionName)),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(timeBudgetOf(props.functionName, access).timeoutSeconds),
      role,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      description: access.description,
      // No --enable-source-maps: it costs about 15 ms of every cold start. The .map files ship in the
      // asset, and a minified stack trace is resolved offline (docs/operations.md).
      // FUNCTION_KEY names the function in its outcome metrics (the alarms' dimension).
      environment: checkedEnvironment(props.functionName, {
        ...props.environment,
        ...timingEnvironment(props.functionName),
        FUNCTION_KEY: props.functionName,
      }),
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: props.network.subnets,
            securityGroups: [...props.network.securityGroups],
          }
        : {}),
      ...(props.tracing ? { tracing: lambda.Tracing.ACTIVE } : {}),
    });

    this.role = role;
    if (props.network) {
      // The function has a role of its own, so CDK does not add this for the VPC: without it Lambda
      // cannot create the function's network interfaces and refuses the configuration.
      role.addManagedPolicy(
        iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AWSLambdaVPCAccessExecutionRole'),
      );
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]',
        reason:
          'Lambda needs to create and delete its network interfaces in the configured subnets; AWS maintains that policy for exactly this.',
      });
    }
    if (props.tracing) {
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason: 'xray:PutTraceSegments and xray:PutTelemetryRecords have no resource-level permissions.',
      });
    }
    if (access.secrets.length > 0) {
      const shown = (value: string, pseudo: string) =>
        Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value;
      const finding = `arn:<AWS::Partition>:secretsmanager:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:secret:${props.secretPrefix}/${props.tenantId}/*`;
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${finding}]`,
        reason:
          `Secrets are named ${props.secretPrefix}/${props.tenantId}/<credentialId> from server-generated ids and Secrets ` +
          'Manager appends a random suffix to every ARN: the tenant prefix is the narrowest resource that names them.',
      });
    }
  }
}
