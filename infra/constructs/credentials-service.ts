import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  HTTP_FUNCTION_NAMES,
  type HttpFunctionName,
  PUBLIC_ROUTES,
  ROUTE_PATHS,
  ROUTES,
} from '../../api/routes.ts';
import { METRICS_NAMESPACE } from '../../shared/adapters/metrics/embedded-metrics.ts';
import { DEFAULT_COMPONENT_SETTINGS } from '../../shared/components/descriptors.ts';
import { loadBundledComponents } from '../../shared/components/index.ts';
import { DEFAULT_REFRESH_SETTINGS } from '../../shared/domain/refresh-timing.ts';
import type { OutcomeMetric } from '../../shared/ports/metrics.ts';
import { consoleSignIn } from '../console-sign-in.ts';
import type { AnyFunctionName } from '../function-catalog.ts';
import { FUNCTION_ACCESS } from '../function-catalog.ts';
import { checkServiceProps } from '../service-settings.ts';
import { PURGE_BATCH_SIZE, timeBudgetOf } from '../time-budgets.ts';
import { CredentialsConsole } from './credentials-console.ts';
import { CredentialsFunction } from './credentials-function.ts';
import { CredentialsTable } from './credentials-table.ts';
import { TenantKey } from './tenant-key.ts';

export interface CredentialsServiceProps {
  /** The tenant this deployment serves: key prefix, secret prefix, tags. */
  readonly tenantId: string;
  /** The API's JWT authorizer: the tenant's identity provider. Tokens carry a `tenant_id` claim. */
  readonly jwtIssuer: string;
  readonly jwtAudience: readonly string[];
  /**
   * Put before each route's scope, in API Gateway's authorizationScopes and the functions' own
   * check, for identity providers that qualify scopes (Amazon Cognito: `<resource server id>/`).
   * @default '' (scopes as named: `credentials:read`…)
   */
  readonly scopePrefix?: string;
  /**
   * IAM principals (role ARNs) of the workflows that run flow steps: they may invoke resolve and
   * the proxy, and nothing else (they never create, change or delete credentials).
   */
  readonly resolveInvokerArns?: readonly string[];
  /**
   * IAM principals allowed to invoke the management functions directly (create, update, delete,
   * flows…), without the JWT authorizer: automation the tenant trusts with every credential.
   */
  readonly managementInvokerArns?: readonly string[];
  /**
   * Runs the functions that reach user-chosen hosts (verification, OAuth2 refresh and revocation)
   * in this VPC, so in-VPC databases and APIs can be verified. They then need a NAT gateway for
   * public APIs, and a way to AWS: a NAT, or the endpoints `vpcEndpoints` creates.
   */
  readonly vpc?: ec2.IVpc;
  /** @default the VPC's private subnets with egress */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** @default one security group, created, allowing all outbound traffic */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /**
   * Creates interface endpoints for Secrets Manager, KMS and EventBridge and a gateway endpoint
   * for DynamoDB in `vpc`, so the in-VPC functions reach AWS without a NAT. @default false
   */
  readonly vpcEndpoints?: boolean;
  /** Hosts verification may reach even when they resolve to non-public addresses. */
  readonly verificationAllowedHosts?: readonly string[];
  /** @default 7 — Secrets Manager accepts 7 to 30. */
  readonly secretRecoveryWindowDays?: number;
  /** How long the functions' and the API's logs are kept. @default logs.RetentionDays.THREE_MONTHS */
  readonly logRetention?: logs.RetentionDays;
  /** @default 'credentials' */
  readonly secretPrefix?: string;
  /** @default the public Petstore */
  readonly petstoreBaseUrl?: string;
  /**
   * Deploys the browser console (S3 + CloudFront) signing in with the tenant's identity provider
   * (`jwtIssuer`) as this OpenID Connect client; its tokens must be valid for `jwtAudience`.
   */
  readonly console?: {
    readonly clientId: string;
    /** @default `openid` and every API scope, with `scopePrefix` */
    readonly scope?: string;
    /** The API identifier to request tokens for (Auth0 and others); @default the first `jwtAudience` that is not `clientId` */
    readonly audience?: string;
    /** Origins besides the issuer's that sign-in calls (Cognito's token endpoint is on the pool domain). */
    readonly signInOrigins?: readonly string[];
  };
  /** URL prefixes a connect session may send the browser back to (the platform UI, the console). */
  readonly connectReturnUrls?: readonly string[];
  /** @default { rateLimit: 50, burstLimit: 100 } */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** Where alarms notify, e.g. an SNS topic action (CloudWatch takes up to 5). @default no action */
  readonly alarmActions?: readonly cloudwatch.IAlarmAction[];
  /** Reuse an existing customer-managed key (the table's and every secret's) instead of creating one. */
  readonly existingKey?: kms.IKey;
  /** Settings of the key the construct creates (ignored with `existingKey`). */
  readonly keyProps?: Omit<kms.KeyProps, 'enableKeyRotation'>;
  /** Publish lifecycle events on this bus instead of one the construct creates. */
  readonly existingEventBus?: events.IEventBus;
  /**
   * Per-function memory (MB, 128-10240) and timeout overrides. A timeout may be raised up to 15
   * minutes, never set below what the function's own waits need (refused at synthesis).
   */
  readonly functionOverrides?: Partial<
    Record<AnyFunctionName, { readonly memorySize?: number; readonly timeout?: Duration }>
  >;
  /** X-Ray active tracing on every function. @default false */
  readonly tracing?: boolean;
  /**
   * How long after its last check a healthy credential is re-verified by the schedule (OAuth2 ones
   * by a refresh). Failing ones are retried sooner, with back-off. @default 24
   */
  readonly reverifyIntervalHours?: number;
  /**
   * Secrets Manager writes a second this deployment's early OAuth2 refreshes may take. The account
   * and Region share 50 between all their deployments, creates and edits included. @default 35
   */
  readonly secretWritesPerSecond?: number;
}

/** How often the scheduled re-verification looks for due credentials. */
const HEALTH_RUN_EVERY_MINUTES = 5;

/** Lambda's bounds on memory (MB) and timeout (seconds). */
const MEMORY_BOUNDS = { min: 128, max: 10_240 } as const;
const LAMBDA_TIMEOUT_LIMIT_SECONDS = 900;

/** Refuses at synthesis an override Lambda would refuse, or one shorter than the code's own waits. */
const checkFunctionOverrides = (overrides: NonNullable<CredentialsServiceProps['functionOverrides']>) => {
  for (const [name, override] of Object.entries(overrides)) {
    if (!(name in FUNCTION_ACCESS)) {
      throw new Error(
        `functionOverrides.${name}: no such function (${Object.keys(FUNCTION_ACCESS).join(', ')}).`,
      );
    }
    const memory = override?.memorySize;
    if (
      memory !== undefined &&
      (!Number.isInteger(memory) || memory < MEMORY_BOUNDS.min || memory > MEMORY_BOUNDS.max)
    ) {
      throw new Error(
        `functionOverrides.${name}.memorySize must be an integer from ${MEMORY_BOUNDS.min} to ${MEMORY_BOUNDS.max} MB.`,
      );
    }
    if (override?.timeout) {
      const seconds = override.timeout.toSeconds();
      const needed = timeBudgetOf(
        name as AnyFunctionName,
        FUNCTION_ACCESS[name as AnyFunctionName],
      ).timeoutSeconds;
      if (seconds < needed || seconds > LAMBDA_TIMEOUT_LIMIT_SECONDS) {
        throw new Error(
          `functionOverrides.${name}.timeout must be from ${needed} s (what its own waits need) to ${LAMBDA_TIMEOUT_LIMIT_SECONDS} s; it is ${seconds} s.`,
        );
      }
    }
  }
};

/**
 * The whole credentials service for one tenant: table, key, one function per operation, the HTTP
 * API, the durable secret clean-up, and alarms.
 */
export class CredentialsService extends Construct {
  readonly api: apigw.HttpApi;
  readonly table: dynamodb.ITable;
  readonly tableName: string;
  readonly functions: Record<AnyFunctionName, lambda.IFunction>;
  readonly key: kms.IKey;
  readonly deadLetterQueue: sqs.Queue;
  readonly eventBus: events.IEventBus;
  readonly resolveFunction: lambda.IFunction;
  /** Calls a component's API for a flow step, so the workflow never holds the secret. */
  readonly proxyFunction: lambda.IFunction;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly managementFunctions: lambda.IFunction[];
  /** The redirect URI tenants register at OAuth2 providers. */
  readonly callbackUrl: string;
  /** The console's URL, when the stack deploys it. */
  readonly consoleUrl?: string;

  /** Lets a workflow (Step Functions, a worker's role) invoke resolve: the only way secrets leave. */
  grantResolve(grantee: iam.IGrantable): iam.Grant {
    return this.resolveFunction.grantInvoke(grantee);
  }

  /**
   * Lets a workflow invoke the proxy: its requests go to the component's API with a flow step's
   * credential, and the secret stays in the service.
   */
  grantProxy(grantee: iam.IGrantable): iam.Grant {
    return this.proxyFunction.grantInvoke(grantee);
  }

  /**
   * Lets automation invoke the management functions directly (create, update, delete, flows…),
   * without the JWT authorizer: it is trusted with every credential's metadata, never a secret.
   */
  grantManage(grantee: iam.IGrantable): iam.Grant {
    const [first, ...rest] = this.managementFunctions.map((fn) => fn.grantInvoke(grantee));
    if (!first) throw new Error('The management functions are created in the constructor.');
    return rest.reduce((combined, grant) => combined.combine(grant), first);
  }

  /**
   * Lets a platform role subscribe to the lifecycle events: manage rules (and their targets) on
   * this bus only, and describe it.
   */
  grantReadEvents(grantee: iam.IGrantable): iam.Grant {
    const stack = Stack.of(this);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: [
        'events:DescribeEventBus',
        'events:PutRule',
        'events:PutTargets',
        'events:DescribeRule',
        'events:ListTargetsByRule',
        'events:RemoveTargets',
        'events:DeleteRule',
      ],
      resourceArns: [
        this.eventBus.eventBusArn,
        stack.formatArn({
          service: 'events',
          resource: 'rule',
          resourceName: `${this.eventBus.eventBusName}/*`,
        }),
      ],
    });
  }

  constructor(scope: Construct, id: string, props: CredentialsServiceProps) {
    super(scope, id);
    checkServiceProps(props);
    const recoveryWindow = props.secretRecoveryWindowDays ?? 7;
    // The functions trust their bundled component descriptors: they are checked here, so a broken
    // one fails synthesis (and deployment), naming its file and field.
    loadBundledComponents({ ...DEFAULT_COMPONENT_SETTINGS, demoOAuth2BaseUrl: 'https://demo.invalid' });
    const secretPrefix = props.secretPrefix ?? 'credentials';
    const logRetention = props.logRetention ?? logs.RetentionDays.THREE_MONTHS;

    checkFunctionOverrides(props.functionOverrides ?? {});
    this.key =
      props.existingKey ??
      new TenantKey(this, 'Key', {
        tenantId: props.tenantId,
        ...(props.keyProps ? { keyProps: props.keyProps } : {}),
      }).key;
    const { table } = new CredentialsTable(this, 'Table', { key: this.key });
    this.table = table;
    this.tableName = table.tableName;

    // The console exists before the API so the API's CORS can name exactly its origin.
    const consoleSite = props.console
      ? new CredentialsConsole(this, 'Console', {
          // The issuer (discovery, keys) and any other origin its token endpoint lives on (Cognito's domain).
          signInOrigins: [
            new URL(props.jwtIssuer).origin,
            ...(props.console.signInOrigins ?? []).map((url) => new URL(url).origin),
          ],
        })
      : undefined;
    this.consoleUrl = consoleSite?.url;
    const returnUrls = [...(props.connectReturnUrls ?? []), ...(consoleSite ? [`${consoleSite.url}/`] : [])];

    const environment: Record<string, string> = {
      TENANT_ID: props.tenantId,
      TABLE_NAME: table.tableName,
      SECRET_PREFIX: secretPrefix,
      SECRET_RECOVERY_WINDOW_DAYS: String(recoveryWindow),
      KMS_KEY_ID: this.key.keyArn,
      VERIFICATION_ALLOWED_HOSTS: (props.verificationAllowedHosts ?? []).join(','),
      // Every function that saves, verifies or refreshes a credential schedules its next check.
      REVERIFY_INTERVAL_SECONDS: String((props.reverifyIntervalHours ?? 24) * 3600),
      SECRET_WRITES_PER_SECOND: String(
        props.secretWritesPerSecond ?? DEFAULT_REFRESH_SETTINGS.secretWritesPerSecond,
      ),
      ...(props.scopePrefix ? { SCOPE_PREFIX: props.scopePrefix } : {}),
      ...(returnUrls.length > 0 ? { CONNECT_RETURN_URLS: returnUrls.join(',') } : {}),
      ...(props.petstoreBaseUrl ? { PETSTORE_BASE_URL: props.petstoreBaseUrl } : {}),
    };
    const roles: Partial<Record<AnyFunctionName, iam.Role>> = {};
    const network = props.vpc
      ? {
          vpc: props.vpc,
          subnets: props.vpcSubnets ?? { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
          securityGroups: props.securityGroups ?? [
            new ec2.SecurityGroup(this, 'FunctionsSecurityGroup', {
              vpc: props.vpc,
              description: 'Credentials functions that reach verification targets and AWS',
              allowAllOutbound: true,
            }),
          ],
        }
      : undefined;
    if (network && props.vpcEndpoints) {
      for (const [name, service] of [
        ['SecretsManager', ec2.InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
        ['Kms', ec2.InterfaceVpcEndpointAwsService.KMS],
        ['EventBridge', ec2.InterfaceVpcEndpointAwsService.EVENTBRIDGE],
      ] as const) {
        network.vpc.addInterfaceEndpoint(`${name}Endpoint`, {
          service,
          subnets: network.subnets,
          // CDK gives each endpoint its own group, open on 443 to the VPC's range: the functions'
          // groups stay outbound-only.
          privateDnsEnabled: true,
        });
      }
      network.vpc.addGatewayEndpoint('DynamoDbEndpoint', {
        service: ec2.GatewayVpcEndpointAwsService.DYNAMODB,
      });
    }
    const makeFunction = (functionName: AnyFunctionName, defaultTimeout?: Duration): lambda.Function => {
      const access = FUNCTION_ACCESS[functionName];
      const override = props.functionOverrides?.[functionName];
      const timeout = override?.timeout ?? defaultTimeout;
      const created = new CredentialsFunction(this, `Fn-${functionName}`, {
        functionName,
        ...(timeout ? { timeout } : {}),
        ...(override?.memorySize ? { memorySize: override.memorySize } : {}),
        ...(props.tracing ? { tracing: true } : {}),
        ...(network && (access.verifies || access.refreshes || access.revokes) ? { network } : {}),
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
      HTTP_FUNCTION_NAMES.map((name) => [name, makeFunction(name)]),
    ) as Record<HttpFunctionName, lambda.Function>;
    this.proxyFunction = httpFunctions['proxy-request'];
    // The proxy acts with secrets: it is granted with resolve (grantProxy), never with management.
    this.managementFunctions = Object.entries(httpFunctions)
      .filter(([name]) => name !== 'proxy-request')
      .map(([, fn]) => fn);

    // The HTTP API: every documented route, behind the tenant's JWT authorizer.
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', { retention: logRetention });
    this.api = new apigw.HttpApi(this, 'Api', {
      description: `Credentials API of tenant ${props.tenantId}`,
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('TenantJwt', props.jwtIssuer, {
        jwtAudience: [...props.jwtAudience],
        identitySource: ['$request.header.Authorization'],
      }),
      // Browsers may call the API from the console's origin only (no CORS without a console).
      ...(consoleSite
        ? {
            corsPreflight: {
              allowOrigins: [consoleSite.url],
              allowMethods: [
                apigw.CorsHttpMethod.GET,
                apigw.CorsHttpMethod.POST,
                apigw.CorsHttpMethod.PUT,
                apigw.CorsHttpMethod.PATCH,
                apigw.CorsHttpMethod.DELETE,
              ],
              allowHeaders: ['authorization', 'content-type', 'if-match', 'idempotency-key'],
              exposeHeaders: ['etag', 'location'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    if (consoleSite && props.console) {
      consoleSite.deploy({
        apiOrigin: this.api.apiEndpoint,
        oidc: consoleSignIn({
          jwtIssuer: props.jwtIssuer,
          jwtAudience: props.jwtAudience,
          clientId: props.console.clientId,
          ...(props.scopePrefix ? { scopePrefix: props.scopePrefix } : {}),
          ...(props.console.scope ? { scope: props.console.scope } : {}),
          ...(props.console.audience ? { audience: props.console.audience } : {}),
        }),
      });
    }
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
        authorizationScopes: [`${props.scopePrefix ?? ''}${route.scope}`],
        integration: new HttpLambdaIntegration(
          `Integration-${route.method}-${route.path}`,
          httpFunctions[route.functionName],
        ),
      });
    }

    // The contract and the problem pages: public, so a client generator and a person following a
    // problem's `type` link need no token. The function reads no table and no secret.
    const apiDocument = makeFunction('get-api-document');
    for (const route of PUBLIC_ROUTES.filter((candidate) => candidate.functionName === 'get-api-document')) {
      const [added] = this.api.addRoutes({
        path: route.path,
        methods: [apigw.HttpMethod[route.method]],
        authorizer: new apigw.HttpNoneAuthorizer(),
        integration: new HttpLambdaIntegration(`Integration-${route.method}-${route.path}`, apiDocument),
      });
      if (added) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: 'Public documents (the OpenAPI contract, problem pages): no tenant data, no secrets.',
        });
      }
    }

    // The OAuth2 callback: public (the browser arrives from the provider), proved by its one-time state.
    const callback = makeFunction('complete-connect');
    {
      const route = PUBLIC_ROUTES.find((candidate) => candidate.functionName === 'complete-connect');
      if (route) {
        const [added] = this.api.addRoutes({
          path: route.path,
          methods: [apigw.HttpMethod.GET],
          authorizer: new apigw.HttpNoneAuthorizer(),
          integration: new HttpLambdaIntegration('Integration-GET-/oauth2/callback', callback),
        });
        if (added)
          Validations.of(added).acknowledge({
            id: 'AwsSolutions::AwsSolutions-APIG4',
            reason:
              'The OAuth2 redirect URI: a browser returning from the provider has no token; the one-time state authorises it.',
          });
      }
    }
    this.callbackUrl = `${this.api.apiEndpoint}/oauth2/callback`;
    for (const fn of [
      callback,
      httpFunctions['put-oauth-app'],
      httpFunctions['get-oauth-app'],
      httpFunctions['list-oauth-apps'],
      httpFunctions['create-connect-session'],
    ])
      fn.addEnvironment('CONNECT_CALLBACK_URL', this.callbackUrl);

    // A known path with another method: API Gateway would answer 404 {"message":"Not Found"}; an
    // ANY route per path (less specific than the real methods) answers 405 with Allow instead.
    for (const path of ROUTE_PATHS) {
      const [added] = this.api.addRoutes({
        path,
        methods: [apigw.HttpMethod.ANY],
        authorizer: new apigw.HttpNoneAuthorizer(),
        integration: new HttpLambdaIntegration(`Integration-ANY-${path}`, apiDocument),
      });
      if (added) {
        Validations.of(added).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason: 'Answers 405 Method Not Allowed with the Allow header; runs no operation.',
        });
      }
    }

    // Durable secret clean-up: the stream consumer finishes deletions, the sweeper removes orphans.
    // It holds where in the stream a batch failed (shard, sequence numbers), never item images or
    // secrets: SQS-managed encryption, so the consumers need no grant on the tenant key for it.
    this.deadLetterQueue = new sqs.Queue(this, 'PurgeDeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
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
        filter: {
          eventName: 'INSERT' | 'REMOVE';
          image: 'NewImage' | 'OldImage';
          entity: readonly [string, ...string[]];
        };
      },
    ) => {
      // The mapping is wired by hand (not DynamoEventSource) so the role gets exactly what reading
      // the stream needs: the stream actions on this table's stream, and kms:Decrypt through
      // DynamoDB only.
      new lambda.EventSourceMapping(this, `StreamTo-${functionName}`, {
        target: fn,
        eventSourceArn: table.tableStreamArn,
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
              [options.filter.image]: { entity: { S: lambda.FilterRule.or(...options.filter.entity) } },
            },
          }),
        ],
      });
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
          resources: [table.tableStreamArn ?? ''],
        }),
      );
      fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:ListStreams'], resources: ['*'] }));
      const role = roles[functionName];
      if (role)
        Validations.of(role).acknowledge({
          id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
          reason:
            'dynamodb:ListStreams, which Lambda needs to read a table stream, has no resource-level permissions.',
        });
      fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:Decrypt'],
          resources: [this.key.keyArn],
          conditions: {
            StringEquals: { 'kms:ViaService': `dynamodb.${Stack.of(this).region}.amazonaws.com` },
          },
        }),
      );
    };

    const purge = makeFunction('purge-deleted-secrets');
    consumeStream('purge-deleted-secrets', purge, {
      batchSize: PURGE_BATCH_SIZE,
      reportBatchItemFailures: true,
      filter: { eventName: 'REMOVE', image: 'OldImage', entity: ['credential'] },
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
    this.resolveFunction = resolve;
    for (const arn of props.resolveInvokerArns ?? []) {
      this.grantResolve(new iam.ArnPrincipal(arn));
      this.grantProxy(new iam.ArnPrincipal(arn));
    }
    for (const arn of props.managementInvokerArns ?? []) this.grantManage(new iam.ArnPrincipal(arn));

    // Credential health: every few minutes, the credentials whose check is due are re-verified.
    const health = makeFunction('verify-due-credentials');
    new events.Rule(this, 'HealthSchedule', {
      description: 'Re-verifies the credentials whose check is due',
      schedule: events.Schedule.rate(Duration.minutes(HEALTH_RUN_EVERY_MINUTES)),
      // The function takes `{}` (its tenant is the deployment's), not the scheduled event's envelope.
      targets: [
        new targets.LambdaFunction(health, {
          retryAttempts: 0,
          event: events.RuleTargetInput.fromObject({}),
        }),
      ],
    });

    // Lifecycle events: audit records (written in the same transactions as changes) to the bus.
    this.eventBus =
      props.existingEventBus ??
      new events.EventBus(this, 'Events', {
        description: `Credential lifecycle events of tenant ${props.tenantId}`,
      });
    const publish = makeFunction('publish-lifecycle-events');
    publish.addEnvironment('EVENT_BUS_NAME', this.eventBus.eventBusName);
    this.eventBus.grantPutEventsTo(publish);
    consumeStream('publish-lifecycle-events', publish, {
      batchSize: 50,
      reportBatchItemFailures: false,
      filter: { eventName: 'INSERT', image: 'NewImage', entity: ['audit', 'flow-audit'] },
    });

    this.functions = {
      ...httpFunctions,
      'resolve-credential': resolve,
      'verify-due-credentials': health,
      'publish-lifecycle-events': publish,
      'purge-deleted-secrets': purge,
      'sweep-orphan-secrets': sweep,
      'get-api-document': apiDocument,
      'complete-connect': callback,
    };

    // Alarms. HTTP functions turn every failure into a response, so Lambda's Errors metric cannot
    // see them: the one error mapping counts them (embedded metric format) as UnexpectedErrors,
    // apart from refusals and from AWS being busy.
    const alarm = (name: string, metric: cloudwatch.IMetric, description: string, threshold = 1) => {
      const created = new cloudwatch.Alarm(this, name, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      for (const action of props.alarmActions ?? []) created.addAlarmAction(action);
      this.alarms.push(created);
      return created;
    };
    const outcome = (functionName: AnyFunctionName, metricName: OutcomeMetric) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { Tenant: props.tenantId, Function: functionName },
        statistic: cloudwatch.Stats.SUM,
        period: Duration.minutes(5),
      });
    for (const [name, fn] of Object.entries(this.functions) as [AnyFunctionName, lambda.IFunction][]) {
      alarm(
        `Throttles-${name}`,
        fn.metricThrottles({ period: Duration.minutes(5) }),
        `${name} was throttled: raise its reserved concurrency or the account limit.`,
      );
      if (name === 'resolve-credential') {
        // Resolve throws its refusals (flow_not_active, credential_invalid) so a Step Functions
        // Catch can route them: errors minus refusals are the real failures (timeouts included).
        // Refusals is emitted only when there is one, so a period with a timeout and no refusal has
        // no Refusals datapoint: FILL makes it 0 there, or the expression would have no value and
        // the alarm would stay quiet exactly when it should fire.
        alarm(
          `Failures-${name}`,
          new cloudwatch.MathExpression({
            expression: 'FILL(errors, 0) - FILL(refusals, 0)',
            usingMetrics: {
              errors: fn.metricErrors({ period: Duration.minutes(5) }),
              refusals: outcome(name, 'Refusals'),
            },
            period: Duration.minutes(5),
          }),
          'resolve failed for a reason other than a refusal (a bug, a denied permission, a timeout): see its logs.',
        );
      } else {
        alarm(
          `Errors-${name}`,
          fn.metricErrors({ period: Duration.minutes(5) }),
          `${name} crashed or timed out: see its logs.`,
        );
      }
      if (
        name !== 'publish-lifecycle-events' &&
        name !== 'purge-deleted-secrets' &&
        name !== 'sweep-orphan-secrets' &&
        name !== 'get-api-document'
      )
        alarm(
          `UnexpectedErrors-${name}`,
          outcome(name, 'UnexpectedErrors'),
          `${name} answered 500: a bug or a denied permission (AccessDenied, KMS). See its logs for the request id.`,
        );
    }
    // Falling behind: the earliest credential still due has waited more than two intervals.
    alarm(
      'HealthBehind',
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'OldestDueAgeSeconds',
        dimensionsMap: { Tenant: props.tenantId, Function: 'verify-due-credentials' },
        statistic: cloudwatch.Stats.MAXIMUM,
        period: Duration.minutes(15),
      }),
      'Scheduled re-verification is behind: a credential has been due for more than two intervals (runs failing, or too many due for the per-run budget).',
      2 * (props.reverifyIntervalHours ?? 24) * 3600,
    );
    alarm(
      'Api5xx',
      this.api.metricServerError({ period: Duration.minutes(5) }),
      'The HTTP API answered 5xx five times in 5 minutes (integration failures, or AWS busy: 503 upstream_unavailable).',
      5,
    );
    alarm(
      'DeadLettersAlarm',
      this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      'Stream records that failed every retry (a secret deletion or an event): replay them (docs/operations.md).',
    );
  }
}
