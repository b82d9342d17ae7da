import { Annotations, CfnOutput, CfnResource, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { CredentialsService, TenantKey } from './index.ts';
import type { TenantConfig } from './tenant-config.ts';

/** CloudFormation's limit on resources in one stack. */
export const CLOUDFORMATION_RESOURCE_LIMIT = 500;

/** One tenant's deployment: a thin wrapper over the reusable construct. */
export class TenantStack extends Stack {
  readonly service: CredentialsService;
  readonly alarmTopic?: sns.ITopic;

  constructor(scope: Construct, id: string, tenant: TenantConfig, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description: `Credentials service for tenant ${tenant.id}`,
      ...(tenant.account || tenant.region ? { env: { account: tenant.account, region: tenant.region } } : {}),
    });
    Tags.of(this).add('tenant', tenant.id);
    Tags.of(this).add('service', 'credentials');
    const key = new TenantKey(this, 'Key', { tenantId: tenant.id }).key;
    this.alarmTopic = this.alarmTopicFor(tenant, key);
    this.service = new CredentialsService(this, 'Credentials', {
      tenantId: tenant.id,
      existingKey: key,
      jwtIssuer: tenant.jwtIssuer,
      jwtAudience: tenant.jwtAudience,
      ...(tenant.scopePrefix ? { scopePrefix: tenant.scopePrefix } : {}),
      ...(tenant.connectReturnUrls ? { connectReturnUrls: tenant.connectReturnUrls } : {}),
      ...(tenant.console ? { console: tenant.console } : {}),
      resolveInvokerArns: tenant.resolveInvokerArns,
      managementInvokerArns: tenant.managementInvokerArns,
      verificationAllowedHosts: tenant.verificationAllowedHosts,
      secretRecoveryWindowDays: tenant.secretRecoveryWindowDays,
      logRetention: tenant.logRetentionDays as logs.RetentionDays | undefined,
      petstoreBaseUrl: tenant.petstoreBaseUrl,
      ...(tenant.tracing ? { tracing: true } : {}),
      ...(tenant.reverifyIntervalHours ? { reverifyIntervalHours: tenant.reverifyIntervalHours } : {}),
      ...(tenant.secretWritesPerSecond ? { secretWritesPerSecond: tenant.secretWritesPerSecond } : {}),
      ...this.networkOf(tenant),
      alarmActions: this.alarmTopic ? [new actions.SnsAction(this.alarmTopic)] : [],
    });
    new CfnOutput(this, 'ApiUrl', { value: this.service.api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.service.tableName });
    new CfnOutput(this, 'ResolveFunctionArn', {
      value: this.service.resolveFunction.functionArn,
      description: 'What Step Functions (or any workflow role in resolveInvokerArns) invokes to get secrets.',
    });
    new CfnOutput(this, 'ProxyFunctionArn', {
      value: this.service.proxyFunction.functionArn,
      description: 'What a workflow invokes to call a component API without holding its secret.',
    });
    new CfnOutput(this, 'EventBusArn', { value: this.service.eventBus.eventBusArn });
    if (this.service.consoleUrl) new CfnOutput(this, 'ConsoleUrl', { value: this.service.consoleUrl });
    new CfnOutput(this, 'OAuthCallbackUrl', {
      value: this.service.callbackUrl,
      description: 'The redirect URI to register in each OAuth app at its provider.',
    });
    if (this.alarmTopic) new CfnOutput(this, 'AlarmTopicArn', { value: this.alarmTopic.topicArn });
    this.refuseOverResourceLimit(tenant);
  }

  /** CloudFormation refuses a stack of more than 500 resources at deploy; this says so at synthesis. */
  private refuseOverResourceLimit(tenant: TenantConfig): void {
    const resources = this.node
      .findAll()
      .filter((node) => node instanceof CfnResource && Stack.of(node) === this);
    if (resources.length > CLOUDFORMATION_RESOURCE_LIMIT) {
      throw new Error(
        `Tenant ${tenant.id}: its stack would hold ${resources.length} resources, over CloudFormation's ${CLOUDFORMATION_RESOURCE_LIMIT}. ` +
          'Each managementInvokerArns or resolveInvokerArns entry adds permissions to every function: grant one role and let the others assume it.',
      );
    }
  }

  /** cdk.json names the VPC by ids: the subnets and security groups are given, nothing is looked up. */
  private networkOf(tenant: TenantConfig) {
    if (!tenant.vpc) return {};
    const vpc = ec2.Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: tenant.vpc.vpcId,
      availabilityZones: [...tenant.vpc.availabilityZones],
    });
    const subnets = tenant.vpc.privateSubnetIds.map((subnetId) => {
      const subnet = ec2.Subnet.fromSubnetId(this, `Subnet-${subnetId}`, subnetId);
      // A function's network interfaces need the subnet's id only, never its route table.
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'Lambda places its network interfaces by subnet id; no route table is read.',
      );
      return subnet;
    });
    const securityGroups = tenant.vpc.securityGroupIds.map((groupId) =>
      ec2.SecurityGroup.fromSecurityGroupId(this, `SecurityGroup-${groupId}`, groupId),
    );
    return { vpc, vpcSubnets: { subnets }, securityGroups };
  }

  /** An existing topic, or one the stack creates for the listed addresses (encrypted, TLS only). */
  private alarmTopicFor(tenant: TenantConfig, key: kms.IKey): sns.ITopic | undefined {
    if (tenant.alarmTopicArn) return sns.Topic.fromTopicArn(this, 'AlarmTopic', tenant.alarmTopicArn);
    if (!tenant.alarmEmails?.length) return undefined;
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `Credentials service alarms (${tenant.id})`,
      masterKey: key,
      enforceSSL: true,
    });
    // CloudWatch publishes to the encrypted topic with the tenant key, only for this account's
    // alarms in this region (no confused deputy: another account's alarm cannot use the key).
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        resources: ['*'],
        conditions: {
          StringEquals: { 'aws:SourceAccount': this.account },
          ArnLike: {
            'aws:SourceArn': `arn:${this.partition}:cloudwatch:${this.region}:${this.account}:alarm:*`,
          },
        },
      }),
    );
    for (const email of tenant.alarmEmails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}
