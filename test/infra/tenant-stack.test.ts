import { App, CfnResource, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_FUNCTION_NAMES, PUBLIC_ROUTES, ROUTE_PATHS, ROUTES } from '../../api/routes.ts';
import { buildApp } from '../../infra/app.ts';
import { FUNCTION_ACCESS } from '../../infra/function-catalog.ts';
import { parseTenants } from '../../infra/tenant-config.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';

const tenants = [
  {
    id: 'acme',
    account: '111111111111',
    region: 'eu-west-1',
    jwtIssuer: 'https://acme.eu.auth0.com/',
    jwtAudience: ['credentials-api'],
    resolveInvokerArns: ['arn:aws:iam::111111111111:role/acme-flow-runner'],
    managementInvokerArns: ['arn:aws:iam::111111111111:role/acme-admin-automation'],
    alarmEmails: ['oncall@acme.example'],
    secretRecoveryWindowDays: 30,
    console: { clientId: 'acme-console' },
  },
  { id: 'globex', region: 'us-east-1', jwtIssuer: 'https://login.globex.example/', jwtAudience: ['api'] },
];

// Bundling is skipped here (it is exercised by `npm run synth` and the bundle benchmark).
const newApp = () =>
  new App({ context: { 'credentials-service:tenants': tenants, 'aws:cdk:bundling-stacks': [] } });

type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };
const actionsOf = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('tenant stack', () => {
  let template: Template;
  let policies: Record<string, Statement[]>;

  beforeAll(() => {
    const app = newApp();
    const stack = new TenantStack(app, 'Credentials-acme', parseTenants(tenants)[0] ?? (undefined as never));
    template = Template.fromStack(stack);
    policies = {};
    for (const [logicalId, resource] of Object.entries(template.findResources('AWS::IAM::Policy'))) {
      policies[logicalId] = (
        resource as { Properties: { PolicyDocument: { Statement: Statement[] } } }
      ).Properties.PolicyDocument.Statement;
    }
  });

  const policyOf = (functionName: string): Statement[] => {
    const prefix = `CredentialsFn${functionName.replace(/-/g, '')}Role`;
    const entry = Object.entries(policies).find(([logicalId]) => logicalId.startsWith(prefix));
    if (!entry) throw new Error(`no policy for ${functionName}`);
    return entry[1];
  };

  it("lets CloudWatch use the tenant key for the alarm topic only for this account's alarms", () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
            Condition: {
              StringEquals: { 'aws:SourceAccount': '111111111111' },
              ArnLike: {
                'aws:SourceArn': {
                  'Fn::Join': [
                    '',
                    ['arn:', { Ref: 'AWS::Partition' }, ':cloudwatch:eu-west-1:111111111111:alarm:*'],
                  ],
                },
              },
            },
          }),
        ]),
      },
    });
  });

  it('deploys the console privately behind CloudFront, with strict headers and CORS for exactly its origin', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'redirect-to-https' }),
      }),
    });
    const headers = Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0] as {
      Properties: { ResponseHeadersPolicyConfig: { SecurityHeadersConfig: Record<string, unknown> } };
    };
    const security = JSON.stringify(headers.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig);
    expect(security).toContain("default-src 'none'; script-src 'self'");
    expect(security).toContain('StrictTransportSecurity');
    // connect-src names the API's own endpoint (resolved at deploy time).
    expect(security).toMatch(/connect-src 'self' /);
    const api = Object.values(template.findResources('AWS::ApiGatewayV2::Api'))[0] as {
      Properties: { CorsConfiguration: { AllowOrigins: unknown[]; AllowHeaders: string[] } };
    };
    expect(JSON.stringify(api.Properties.CorsConfiguration.AllowOrigins)).toContain('DomainName');
    expect(api.Properties.CorsConfiguration.AllowOrigins).toHaveLength(1);
    expect(api.Properties.CorsConfiguration.AllowHeaders).toContain('if-match');
    template.resourceCountIs('Custom::CDKBucketDeployment', 1);
    expect(Object.keys(template.findOutputs('*'))).toContain('ConsoleUrl');
  });

  it('has the table layout the code uses, encrypted with the tenant key, recoverable and streamed', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'GSI1',
          KeySchema: [
            { AttributeName: 'GSI1PK', KeyType: 'HASH' },
            { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
          ],
        }),
        // Sparse: only credentials that need attention carry its keys.
        Match.objectLike({
          IndexName: 'GSI2',
          KeySchema: [
            { AttributeName: 'GSI2PK', KeyType: 'HASH' },
            { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
          ],
        }),
        // Sparse, by due time: only credentials the scheduled re-verification checks.
        Match.objectLike({
          IndexName: 'GSI3',
          KeySchema: [
            { AttributeName: 'GSI3PK', KeyType: 'HASH' },
            { AttributeName: 'GSI3SK', KeyType: 'RANGE' },
          ],
        }),
        // Sparse, by folded name: only named credentials, for a search by the start of a name.
        Match.objectLike({
          IndexName: 'GSI4',
          KeySchema: [
            { AttributeName: 'GSI4PK', KeyType: 'HASH' },
            { AttributeName: 'GSI4SK', KeyType: 'RANGE' },
          ],
        }),
      ],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      SSESpecification: Match.objectLike({
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: Match.anyValue(),
      }),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'expiresAtEpoch', Enabled: true },
    });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('has one function per operation on a current Node.js runtime, arm64', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: Record<string, unknown>;
    }[];
    const ours = functions.filter((fn) => fn.Properties.Runtime === 'nodejs24.x');
    expect(ours).toHaveLength(Object.keys(FUNCTION_ACCESS).length);
    for (const fn of ours) {
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { TENANT_ID: 'acme', SECRET_PREFIX: 'credentials', SECRET_RECOVERY_WINDOW_DAYS: '30' },
      });
    }
  });

  it('routes every documented route behind the JWT authorizer, with throttling and access logs', () => {
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { RouteKey: string; AuthorizationType: string; AuthorizationScopes: string[] };
    }[];
    expect(routes.map((route) => route.Properties.RouteKey).sort()).toEqual(
      [
        ...[...ROUTES, ...PUBLIC_ROUTES].map((route) => `${route.method} ${route.path}`),
        ...ROUTE_PATHS.map((path) => `ANY ${path}`),
      ].sort(),
    );
    const isPublic = (route: (typeof routes)[number]) =>
      route.Properties.RouteKey.startsWith('ANY ') ||
      PUBLIC_ROUTES.some(
        (candidate) => `${candidate.method} ${candidate.path}` === route.Properties.RouteKey,
      );
    // Only the contract, the problem pages and the 405 answers need no token.
    for (const route of routes.filter(isPublic)) expect(route.Properties.AuthorizationType).toBe('NONE');
    for (const route of routes.filter((candidate) => !isPublic(candidate))) {
      expect(route.Properties.AuthorizationType).toBe('JWT');
      const declared = ROUTES.find(
        (candidate) => `${candidate.method} ${candidate.path}` === route.Properties.RouteKey,
      );
      expect(route.Properties.AuthorizationScopes).toEqual([declared?.scope]);
    }
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://acme.eu.auth0.com/', Audience: ['credentials-api'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('gives each function only the actions it uses', () => {
    for (const name of Object.keys(FUNCTION_ACCESS) as (keyof typeof FUNCTION_ACCESS)[]) {
      const statements = policyOf(name);
      const dynamo = statements
        .flatMap(actionsOf)
        .filter(
          (action) =>
            action.startsWith('dynamodb:') &&
            action !== 'dynamodb:ListStreams' &&
            !action.startsWith('dynamodb:GetRecords') &&
            !action.startsWith('dynamodb:GetShardIterator') &&
            !action.startsWith('dynamodb:DescribeStream'),
        );
      const secrets = statements.flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'));
      expect(dynamo.sort()).toEqual(FUNCTION_ACCESS[name].table.map((action) => `dynamodb:${action}`).sort());
      expect(secrets.filter((action) => action !== 'secretsmanager:ListSecrets').sort()).toEqual(
        FUNCTION_ACCESS[name].secrets.map((action) => `secretsmanager:${action}`).sort(),
      );
    }
    expect(
      policyOf('get-credential')
        .flatMap(actionsOf)
        .filter((action) => !action.startsWith('logs:')),
    ).toEqual(['dynamodb:GetItem', 'kms:Decrypt', 'kms:DescribeKey']);
  });

  it("confines secrets to the tenant's prefix and table keys to the tenant's partition", () => {
    const json = JSON.stringify(policies);
    expect(json).toContain(':secret:credentials/acme/*');
    expect(json).not.toContain('globex');
    const create = policyOf('create-credential').find((statement) =>
      actionsOf(statement).includes('secretsmanager:CreateSecret'),
    );
    expect(create?.Condition).toEqual({ StringEquals: { 'aws:RequestTag/tenant': 'acme' } });
    const getItem = policyOf('get-credential').find((statement) =>
      actionsOf(statement).includes('dynamodb:GetItem'),
    );
    expect(getItem?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['T#acme', 'T#acme#*'] },
    });
    // CDK's console deployment function invalidates CloudFront, which has no resource-level grant.
    const ours = Object.entries(policies).filter(
      ([logicalId]) => !logicalId.startsWith('CustomCDKBucketDeployment'),
    );
    for (const [, statements] of ours) {
      for (const statement of statements) {
        if (statement.Resource === '*') {
          expect(
            actionsOf(statement).every((action) =>
              ['secretsmanager:ListSecrets', 'dynamodb:ListStreams'].includes(action),
            ),
          ).toBe(true);
        }
      }
    }
  });

  it('lets workflow roles invoke resolve and the proxy only, and management roles the management functions only', () => {
    const permissions = Object.values(template.findResources('AWS::Lambda::Permission')) as {
      Properties: { Principal: string; FunctionName: { 'Fn::GetAtt': string[] } };
    }[];
    const targetsOf = (principal: string) =>
      permissions
        .filter((permission) => permission.Properties.Principal === principal)
        .map((permission) => permission.Properties.FunctionName['Fn::GetAtt'][0] ?? '');
    const resolveOnly = targetsOf('arn:aws:iam::111111111111:role/acme-flow-runner');
    const management = targetsOf('arn:aws:iam::111111111111:role/acme-admin-automation');
    expect(resolveOnly).toHaveLength(2);
    expect(resolveOnly.sort()).toEqual([
      expect.stringMatching(/proxyrequest/),
      expect.stringMatching(/resolvecredential/),
    ]);
    // The proxy acts with secrets: never granted with the management functions.
    expect(management).toHaveLength(HTTP_FUNCTION_NAMES.length - 1);
    expect(management.some((id) => /resolvecredential|proxyrequest/.test(id))).toBe(false);
  });

  it('outputs what deployers and workflow authors need: API URL, resolve and proxy ARNs, event bus ARN, table', () => {
    const outputs = template.findOutputs('*');
    expect(Object.keys(outputs).sort()).toEqual(
      [
        'AlarmTopicArn',
        'ApiUrl',
        'ConsoleUrl',
        'EventBusArn',
        'OAuthCallbackUrl',
        'ProxyFunctionArn',
        'ResolveFunctionArn',
        'TableName',
      ].sort(),
    );
    expect(JSON.stringify(outputs.OAuthCallbackUrl)).toContain('/oauth2/callback');
    expect(JSON.stringify(outputs.ResolveFunctionArn)).toMatch(/resolvecredential/);
  });

  it('grants the stream consumers only what SQS and DynamoDB Streams need, KMS through its services only', () => {
    for (const name of ['purge-deleted-secrets', 'publish-lifecycle-events']) {
      const statements = policyOf(name);
      const kmsActions = statements.flatMap(actionsOf).filter((action) => action.startsWith('kms:'));
      // The purger reads a deleted OAuth2 credential's tokens to revoke them (a Secrets Manager
      // decrypt), never writes anything encrypted.
      const readOnly = [
        'kms:Decrypt',
        'kms:DescribeKey',
        ...(name === 'purge-deleted-secrets' ? ['kms:GenerateDataKey'] : []),
      ];
      expect(kmsActions.every((action) => readOnly.includes(action))).toBe(true);
      for (const statement of statements.filter((candidate) =>
        actionsOf(candidate).some((a) => a.startsWith('kms:')),
      ))
        expect(JSON.stringify(statement.Condition)).toContain('kms:ViaService');
    }
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it('runs no function in a VPC unless one is configured', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { VpcConfig?: unknown };
    }[];
    expect(functions.every((fn) => fn.Properties.VpcConfig === undefined)).toBe(true);
  });

  it('finishes secret deletions from the stream with retries and a dead-letter queue, and sweeps orphans hourly', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: Match.stringLikeRegexp('REMOVE') }] },
    });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 hour)' });
  });

  it('publishes lifecycle events to the tenant bus and keeps resolve off the HTTP API', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    const publish = policyOf('publish-lifecycle-events').flatMap(actionsOf);
    expect(publish).toContain('events:PutEvents');
    expect(publish.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FilterCriteria: { Filters: [{ Pattern: Match.stringLikeRegexp('INSERT.*audit') }] },
    });
    const integrations = JSON.stringify(template.findResources('AWS::ApiGatewayV2::Integration'));
    const resolveFunctions = Object.keys(template.findResources('AWS::Lambda::Function')).filter((id) =>
      id.includes('resolvecredential'),
    );
    expect(resolveFunctions).toHaveLength(1);
    expect(integrations).not.toContain(resolveFunctions[0]);
  });

  it('alarms on what can fail, counts refusals apart, and notifies the configured topic', () => {
    const alarms = template.findResources('AWS::CloudWatch::Alarm') as Record<
      string,
      { Properties: { MetricName?: string; Namespace?: string; AlarmActions?: unknown[]; Metrics?: unknown } }
    >;
    const ids = Object.keys(alarms);
    const count = (prefix: string) => ids.filter((id) => id.includes(prefix)).length;
    const all = Object.keys(FUNCTION_ACCESS).length;
    expect(count('Throttles')).toBe(all);
    // Resolve throws refusals, so its alarm is errors minus refusals; the others alarm on Errors.
    expect(count('Errors') - count('UnexpectedErrors')).toBe(all - 1);
    expect(count('Failuresresolvecredential')).toBe(1);
    // The HTTP functions, resolve, the scheduled check and the OAuth2 callback count every failure.
    expect(count('UnexpectedErrors')).toBe(HTTP_FUNCTION_NAMES.length + 3);
    expect(count('Api5xx')).toBe(1);
    // The scheduled check gets the event its handler takes, not the scheduled event's envelope.
    const rules = Object.values(template.findResources('AWS::Events::Rule')) as {
      Properties: { ScheduleExpression?: string; Targets: { Input?: string }[] };
    }[];
    expect(
      rules.find((rule) => rule.Properties.ScheduleExpression === 'rate(5 minutes)')?.Properties.Targets[0]
        ?.Input,
    ).toBe('{}');
    // Falling behind: the oldest due credential waited more than two intervals (2 × 24 h).
    const behind = Object.entries(alarms).find(([id]) => id.includes('HealthBehind'))?.[1];
    expect(behind?.Properties).toMatchObject({
      Namespace: 'CredentialsService',
      MetricName: 'OldestDueAgeSeconds',
      Threshold: 172_800,
    });
    expect(count('DeadLetters')).toBe(1);
    const unexpected = Object.entries(alarms).find(([id]) =>
      id.includes('UnexpectedErrorsgetcredential'),
    )?.[1];
    expect(unexpected?.Properties).toMatchObject({
      Namespace: 'CredentialsService',
      MetricName: 'UnexpectedErrors',
    });
    const resolve = Object.entries(alarms).find(([id]) => id.includes('Failuresresolvecredential'))?.[1];
    // Refusals has no datapoint in a period without one: both sides are filled with 0.
    expect(JSON.stringify(resolve?.Properties.Metrics)).toContain('FILL(errors, 0) - FILL(refusals, 0)');
    for (const alarm of Object.values(alarms)) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@acme.example',
    });
  });

  it('keeps source maps in the asset but off the cold-start path', () => {
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, string> } };
    }[];
    for (const fn of functions) expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS).toBeUndefined();
  });
});

describe('a tenant with a VPC and an existing alarm topic', () => {
  it('runs only the functions that call out (verify, refresh, revoke) in the subnets, and notifies that topic', () => {
    const app = newApp();
    const [tenant] = parseTenants([
      {
        ...tenants[1],
        alarmTopicArn: 'arn:aws:sns:us-east-1:222222222222:ops-alarms',
        vpc: {
          vpcId: 'vpc-0123456789abcdef0',
          availabilityZones: ['us-east-1a'],
          privateSubnetIds: ['subnet-0123456789abcdef0'],
          securityGroupIds: ['sg-0123456789abcdef0'],
        },
      },
    ]);
    const template = Template.fromStack(
      new TenantStack(app, 'Credentials-vpc', tenant ?? (undefined as never)),
    );
    const functions = template.findResources('AWS::Lambda::Function') as Record<
      string,
      { Properties: { VpcConfig?: { SubnetIds: string[]; SecurityGroupIds: string[] } } }
    >;
    const inVpc = Object.entries(functions)
      .filter(([, fn]) => fn.Properties.VpcConfig)
      .map(([id]) => id);
    const expected = Object.entries(FUNCTION_ACCESS)
      .filter(([, access]) => access.verifies || access.refreshes || access.revokes)
      .map(([name]) => name.replace(/-/g, ''));
    expect(inVpc).toHaveLength(expected.length);
    for (const name of expected) expect(inVpc.some((id) => id.includes(name))).toBe(true);
    expect(Object.values(functions).find((fn) => fn.Properties.VpcConfig)?.Properties.VpcConfig).toEqual({
      SubnetIds: ['subnet-0123456789abcdef0'],
      SecurityGroupIds: ['sg-0123456789abcdef0'],
    });
    // Each function in the VPC may manage its network interfaces (AWS's managed policy for exactly
    // that: ec2:CreateNetworkInterface, DescribeNetworkInterfaces, DeleteNetworkInterface, …); the
    // others may not.
    const roles = template.findResources('AWS::IAM::Role') as Record<
      string,
      { Properties: { ManagedPolicyArns?: unknown[] } }
    >;
    const vpcPolicy = (role: { Properties: { ManagedPolicyArns?: unknown[] } }) =>
      JSON.stringify(role.Properties.ManagedPolicyArns ?? []).includes(
        'service-role/AWSLambdaVPCAccessExecutionRole',
      );
    const withVpcPolicy = Object.entries(roles)
      .filter(([, role]) => vpcPolicy(role))
      .map(([id]) => id);
    expect(withVpcPolicy).toHaveLength(expected.length);
    for (const name of expected) expect(withVpcPolicy.some((id) => id.includes(name))).toBe(true);
    const fnRoles = Object.values(
      template.findResources('AWS::Lambda::Function') as Record<
        string,
        { Properties: { Role: { 'Fn::GetAtt': [string, string] }; VpcConfig?: unknown } }
      >,
    );
    for (const fn of fnRoles) {
      const role = roles[fn.Properties.Role['Fn::GetAtt'][0]];
      if (role) expect(vpcPolicy(role)).toBe(fn.Properties.VpcConfig !== undefined);
    }
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as {
      Properties: { AlarmActions: unknown[] };
    }[];
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:us-east-1:222222222222:ops-alarms']);
    template.resourceCountIs('AWS::SNS::Topic', 0);
  });

  it('qualifies every route scope with the scope prefix a provider such as Cognito needs', () => {
    const [tenant] = parseTenants([{ ...tenants[1], scopePrefix: 'credentials-api/' }]);
    const template = Template.fromStack(
      new TenantStack(newApp(), 'Credentials-cognito', tenant ?? (undefined as never)),
    );
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')) as {
      Properties: { RouteKey: string; AuthorizationScopes?: string[] };
    }[];
    for (const route of ROUTES) {
      const found = routes.find(
        (candidate) => candidate.Properties.RouteKey === `${route.method} ${route.path}`,
      );
      expect(found?.Properties.AuthorizationScopes).toEqual([`credentials-api/${route.scope}`]);
    }
    const functions = Object.values(template.findResources('AWS::Lambda::Function')) as {
      Properties: { Environment?: { Variables?: Record<string, string> } };
    }[];
    const withPrefix = functions.filter(
      (fn) => fn.Properties.Environment?.Variables?.SCOPE_PREFIX === 'credentials-api/',
    );
    expect(withPrefix.length).toBe(Object.keys(FUNCTION_ACCESS).length);
    expect(() => parseTenants([{ ...tenants[1], scopePrefix: 'has space/' }])).toThrow(/scopePrefix/);
  });
});

describe('the per-tenant app', () => {
  it('synthesizes one stack per tenant with zero unacknowledged cdk-nag findings', () => {
    const app = buildApp(newApp());
    const assembly = app.synth();
    expect(assembly.stacks.map((stack) => stack.stackName).sort()).toEqual([
      'Credentials-acme',
      'Credentials-globex',
    ]);
  });

  it('fails synthesis when a cdk-nag rule is broken and not acknowledged', () => {
    const app = newApp();
    const stack = new TenantStack(app, 'Broken', parseTenants(tenants)[1] ?? (undefined as never));
    new sqs.Queue(stack, 'Unencrypted', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS/);
  });

  it('refuses invalid tenant configuration', () => {
    expect(() => parseTenants([{ id: 'x', jwtIssuer: 'not a url', jwtAudience: [] }])).toThrow(/Invalid/);
    expect(() => parseTenants([tenants[1], tenants[1]])).toThrow(/unique/);
  });

  it('fails synthesis with a clear message for what CloudFormation would refuse at deploy time', () => {
    const synthWith = (change: Record<string, unknown>) => () =>
      buildApp(
        new App({
          context: {
            'credentials-service:tenants': [{ ...tenants[1], ...change }],
            'aws:cdk:bundling-stacks': [],
          },
        }),
      );
    expect(synthWith({ logRetentionDays: 100 })).toThrow(
      /one of the values CloudWatch Logs accepts[\s\S]*logRetentionDays/,
    );
    expect(synthWith({ id: 'acme_eu' })).toThrow(/CloudFormation stack name[\s\S]*\]\.id/);
    expect(synthWith({ verificationAllowedHosts: ['db.internal'] })).toThrow(/host:port/);
    expect(synthWith({ workflowInvokerArns: ['arn:aws:iam::111111111111:role/x'] })).toThrow(
      /split into resolveInvokerArns .* and managementInvokerArns/,
    );
    expect(
      synthWith({ alarmEmails: ['a@b.example'], alarmTopicArn: 'arn:aws:sns:us-east-1:111111111111:t' }),
    ).toThrow(/not both/);
    expect(synthWith({ logRetentionDays: 90 })).not.toThrow();
  });
});

describe('limits AWS enforces only at deploy are refused at synthesis', () => {
  const build = (overrides: Record<string, unknown>) => {
    const app = newApp();
    const [tenant] = parseTenants([{ ...tenants[0], ...overrides }]);
    return new TenantStack(app, 'Credentials-limits', tenant ?? (undefined as never));
  };

  it('an alarm topic in another region than the stack', () => {
    expect(() =>
      parseTenants([
        { ...tenants[0], alarmEmails: undefined, alarmTopicArn: 'arn:aws:sns:us-east-1:111111111111:ops' },
      ]),
    ).toThrow(/alarmTopicArn must be a topic in the tenant's region/);
    expect(
      parseTenants([
        { ...tenants[0], alarmEmails: undefined, alarmTopicArn: 'arn:aws:sns:eu-west-1:111111111111:ops' },
      ]),
    ).toHaveLength(1);
  });

  it("an environment over Lambda's 4 KB (too many return URLs), naming the setting", () => {
    const connectReturnUrls = Array.from(
      { length: 60 },
      (_, index) => `https://platform-${index}.acme.example/integrations/connected/return`,
    );
    expect(() => build({ connectReturnUrls })).toThrow(/over Lambda's 4096-byte limit.*connectReturnUrls/s);
    expect(() => build({ connectReturnUrls: connectReturnUrls.slice(0, 5) })).not.toThrow();
  });

  it("a stack over CloudFormation's 500 resources (too many invoker roles), naming the setting", () => {
    const managementInvokerArns = Array.from(
      { length: 12 },
      (_, index) => `arn:aws:iam::111111111111:role/automation-${index}`,
    );
    expect(() => build({ managementInvokerArns })).toThrow(
      /over CloudFormation's 500.*managementInvokerArns/s,
    );
    const shipped = build({});
    const count = shipped.node.findAll().filter((node) => node instanceof CfnResource).length;
    expect(count).toBeLessThanOrEqual(500);
  });
});
