import { CfnOutput, Stack, type StackProps, Tags } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { CredentialsService } from './constructs/credentials-service.ts';
import type { TenantConfig } from './tenant-config.ts';

/** One tenant's deployment: a thin wrapper over the reusable construct. */
export class TenantStack extends Stack {
  readonly service: CredentialsService;

  constructor(scope: Construct, id: string, tenant: TenantConfig, props: StackProps = {}) {
    super(scope, id, {
      ...props,
      description: `Credentials service for tenant ${tenant.id}`,
      ...(tenant.account || tenant.region ? { env: { account: tenant.account, region: tenant.region } } : {}),
    });
    Tags.of(this).add('tenant', tenant.id);
    Tags.of(this).add('service', 'credentials');
    this.service = new CredentialsService(this, 'Credentials', {
      tenantId: tenant.id,
      jwtIssuer: tenant.jwtIssuer,
      jwtAudience: tenant.jwtAudience,
      workflowInvokerArns: tenant.workflowInvokerArns,
      verificationAllowedHosts: tenant.verificationAllowedHosts,
      secretRecoveryWindowDays: tenant.secretRecoveryWindowDays,
      logRetention: tenant.logRetentionDays as logs.RetentionDays | undefined,
      petstoreBaseUrl: tenant.petstoreBaseUrl,
    });
    new CfnOutput(this, 'ApiUrl', { value: this.service.api.apiEndpoint });
    new CfnOutput(this, 'TableName', { value: this.service.tableName });
  }
}
