import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionName, ROUTES } from '../../functions/routes.ts';
import { TENANT_ID_PATTERN } from '../../shared/domain/actor.ts';
import type { AnyFunctionName } from '../function-catalog.ts';
import { HTTP_FUNCTIONS } from '../function-catalog.ts';
import { CredentialsFunction } from './credentials-function.ts';
import { CredentialsTable } from './credentials-table.ts';
import { TenantKey } from './tenant-key.ts';

export interface CredentialsServiceProps {
  /** The tenant this deployment serves: key prefix, secret prefix, tags. */
  readonly tenantId: string;
  /** The API's JWT authorizer: the tenant's identity provider. Tokens carry a `tenant_id` claim. */
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  /** IAM principals (role ARNs) allowed to invoke the functions directly: Step Functions, workers. */
  readonly workflowInvokerArns?: readonly string[];
  /** Hosts verification may reach even when they resolve to non-public addresses. */
  readonly verificationAllowedHosts?: readonly string[];
  /** @default 7 — Secrets Manager accepts 7 to 30. */
  readonly secretRecoveryWindowDays?: number;
  /** @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'credentials' */
  readonly secretPrefix?: string;
  /** @default the public Petstore */
  readonly petstoreBaseUrl?: string;
  /** @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Where alarms notify, e.g. an SNS topic action. @default no action */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /** Reuse an existing customer-managed key instead of creating one. */
  readonly key?: kms.IKey;
}

/**
 * The whole credentials service for one tenant: table, key, one function per operation, the HTTP
 * API, the durable secret clean-up, and alarms.
 */
export class CredentialsService extends Construct {
  readonly api: apigw.HttpApi;
  readonly tableName: string;
  readonly functions: Record<AnyFunctionName, lambda.IFunction>;
  readonly key: kms.IKey;
  readonly deadLetterQueue: sqs.Queue;
  readonly eventBus: events.EventBus;

  constructor(scope: Construct, id: string, props: CredentialsServiceProps) {
    super(scope, id);
    if (!TENANT_ID_PATTERN.test(props.tenantId)) throw new Error(`Invalid tenantId '${props.tenantId}'.`);
    const recoveryWindow = props.secretRecoveryWindowDays ?? 7;
    if (!Number.isInteger(recoveryWindow) || recoveryWindow < 7 || recoveryWindow > 30) {
      throw new Error('secretRecoveryWindowDays must be an integer from 7 to 30.');
    }
    const secretPrefix = props.secretPrefix ?? 'credentials';
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    this.key = props.key ?? new TenantKey(this, 'Key', { tenantId: props.tenantId }).key;
    const { table } = new CredentialsTable(this, 'Table', { key: this.key });
    this.tableName = table.tableName;

    const environment: Record<string, string> = {
      TENANT_ID: props.tenantId,
      TABLE_NAME: table.tableName,
      SECRET_PREFIX: secretPrefix,
      SECRET_RECOVERY_WINDOW_DAYS: String(recoveryWindow),
      KMS_KEY_ID: this.key.keyArn,
      VERIFICATION_ALLOWED_HOSTS: (props.verificationAllowedHosts ?? []).join(','),
      ...(props.petstoreBaseUrl ? { PETSTORE_BASE_URL: props.petstoreBaseUrl } : {}),
    };
    const roles: Partial<Record<AnyFunctionName, iam.Role>> = {};
    const makeFunction = (functionName: AnyFunctionName, timeout?: Duration): lambda.Function => {
      const created = new CredentialsFunction(this, `Fn-${functionName}`, {
        functionName,
        ...(timeout ? { timeout } : {}),
        tenantId: props.tenantId,
        table,
        key: this.key,
        secretPrefix,
        environment,
        logRetention,
      });
      roles[functionName] = created.role;
      return created.function;
    };

    const httpFunctions = Object.fromEntries(
      HTTP_FUNCTIONS.map((name) => [name, makeFunction(name)]),
    ) as Record<FunctionName, lambda.Function>;

    // Workflows invoke the same functions directly; IAM decides who may.
    for (const arn of props.workflowInvokerArns ?? []) {
      for (const fn of Object.values(httpFunctions)) fn.grantInvoke(new iam.ArnPrincipal(arn));
    }

    // The HTTP API: every documented route, behind the tenant's JWT authorizer.
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention });
    this.api = new apigw.HttpApi(this, 'Api', {
      description: `Credentials API of tenant ${props.tenantId}`,
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('TenantJwt', props.jwtIssuer, {
        jwtAudience: [...props.jwtAudience],
        identitySource: ['$request.header.Authorization'],
      }),
    });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 50, burstLimit: 100 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            sub: '$context.authorizer.claims.sub',
            ip: '$context.identity.sourceIp',
          }),
        ),
      },
    });
    for (const route of ROUTES) {
      this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        // API Gateway refuses a token without the route's scope before the function runs.
        authorizationScopes: [route.scope],
        integration: new HttpLambdaIntegration(
          `Integration-${route.method}-${route.path}`,
          httpFunctions[route.functionName],
        ),
      });
    }

    // Durable secret clean-up: the stream consumer finishes deletions, the sweeper removes orphans.
    this.deadLetterQueue = new sqs.Queue(this, 'PurgeDeadLetters', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions::AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the secret purge stream consumer.',
    });
    /** A table-stream consumer: filtered, retried with bisection, then parked in the dead-letter queue. */
    const consumeStream = (
      functionName: AnyFunctionName,
      fn: lambda.Function,
      options: {
        batchSize: number;
        reportBatchItemFailures: boolean;
        filter: { eventName: 'INSERT' | 'REMOVE'; image: 'NewImage' | 'OldImage'; entity: string };
      },
    ) => {
      fn.addEventSource(
        new DynamoEventSource(table, {
          startingPosition: lambda.StartingPosition.TRIM_HORIZON,
          batchSize: options.batchSize,
          retryAttempts: 10,
          bisectBatchOnError: true,
          reportBatchItemFailures: options.reportBatchItemFailures,
          maxRecordAge: Duration.days(1),
          onFailure: new SqsDlq(this.deadLetterQueue),
          filters: [
            lambda.FilterCriteria.filter({
              eventName: lambda.FilterRule.isEqual(options.filter.eventName),
              dynamodb: {
                [options.filter.image]: { entity: { S: lambda.FilterRule.isEqual(options.filter.entity) } },
              },
            }),
          ],
        }),
      );
      const role = roles[functionName];
      if (!role) return;
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams, added by the DynamoDB event source, has no resource-level permissions.',
      });
      for (const action of ['kms:ReEncrypt*', 'kms:GenerateDataKey*']) {
        Validations.of(role).acknowledge({
          id: `AwsSolutions::AwsSolutions-IAM5[Action::${action}]`,
          reason:
            'Added by the SQS dead-letter destination grant so failed batches can be encrypted with the tenant key only.',
        });
      }
    };

    const purge = makeFunction('purge-deleted-secrets');
    consumeStream('purge-deleted-secrets', purge, {
      batchSize: 25,
      reportBatchItemFailures: true,
      filter: { eventName: 'REMOVE', image: 'OldImage', entity: 'credential' },
    });
    // Sized for about 10,000 secrets a run (see the sweeper benchmark); a larger tenant is finished
    // over several runs, each resuming where the last stopped.
    const sweep = makeFunction('sweep-orphan-secrets', Duration.minutes(5));
    const sweepRole = roles['sweep-orphan-secrets'];
    if (sweepRole) {
      Validations.of(sweepRole).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'secretsmanager:ListSecrets has no resource-level permissions; the sweeper filters on the tenant prefix.',
      });
    }
    // ListSecrets has no resource-level permissions; the sweeper filters by name prefix itself.
    sweep.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }),
    );
    new events.Rule(this, 'SweepSchedule', {
      schedule: events.Schedule.rate(Duration.hours(1)),
      targets: [new targets.LambdaFunction(sweep, { retryAttempts: 2 })],
    });

    // Workflows read secrets only through resolve: direct invoke, no HTTP route, IAM decides who.
    const resolve = makeFunction('resolve-credential');
    for (const arn of props.workflowInvokerArns ?? []) resolve.grantInvoke(new iam.ArnPrincipal(arn));

    // Lifecycle events: audit records (written in the same transactions as changes) to the bus.
    this.eventBus = new events.EventBus(this, 'Events', {
      description: `Credential lifecycle events of tenant ${props.tenantId}`,
    });
    const publish = makeFunction('publish-lifecycle-events');
    publish.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    this.eventBus.grantPutEventsTo(publish);
    consumeStream('publish-lifecycle-events', publish, {
      batchSize: 50,
      reportBatchItemFailures: false,
      filter: { eventName: 'INSERT', image: 'NewImage', entity: 'audit' },
    });

    this.functions = {
      ...httpFunctions,
      'resolve-credential': resolve,
      'publish-lifecycle-events': publish,
      'purge-deleted-secrets': purge,
      'sweep-orphan-secrets': sweep,
    };

    // Alarms: any error or throttle of any function, and anything in the dead-letter queue.
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      for (const action of props.alarmActions ?? []) created.addAlarmAction(action);
      return created;
    };
    for (const [name, fn] of Object.entries(this.functions)) {
      alarm(`Errors-${name}`, fn.metricErrors({ period: Duration.minutes(5) }), `${name} reported errors`);
      alarm(
        `Throttles-${name}`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        `${name} was throttled`,
      );
    }
    alarm(
      'DeadLettersAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'Secret deletions that failed every retry: schedule them by hand (see README).',
    );
  }
}
