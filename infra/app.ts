import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseTenants, TENANTS_CONTEXT_KEY } from './tenant-config.ts';
import { TenantStack } from './tenant-stack.ts';

/** One stack per tenant listed in cdk.json, checked by cdk-nag's AWS Solutions rules. */
export const buildApp = (app = new App()): App => {
  for (const tenant of parseTenants(app.node.tryGetContext(TENANTS_CONTEXT_KEY))) {
    new TenantStack(app, `Credentials-${tenant.id}`, tenant);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app;
};
