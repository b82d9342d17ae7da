import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { describe, expect, it } from 'vitest';
import { CredentialsService, type CredentialsServiceProps } from '../../infra/index.ts';

const REQUIRED = {
  tenantId: 'initech',
  jwtIssuer: 'https://login.initech.example/',
  jwtAudience: ['credentials-api'],
} as const;

const serviceIn = (props: Partial<CredentialsServiceProps> = {}) => {
  const stack = new Stack(new App(), 'Platform', {
    env: { account: '222222222222', region: 'eu-central-1' },
  });
  const service = new CredentialsService(stack, 'Credentials', { ...REQUIRED, ...props });
  return { stack, service };
};

describe('the construct’s props', () => {
  it('refuses overrides Lambda would refuse, or shorter than the function’s own waits, naming them', () => {
    expect(() =>
      serviceIn({ functionOverrides: { 'resolve-credential': { timeout: Duration.seconds(5) } } }),
    ).toThrow(/functionOverrides\.resolve-credential\.timeout must be from 34 s/);
    expect(() =>
      serviceIn({ functionOverrides: { 'get-credential': { timeout: Duration.minutes(16) } } }),
    ).toThrow(/to 900 s/);
    expect(() => serviceIn({ functionOverrides: { 'get-credential': { memorySize: 64 } } })).toThrow(
      /memorySize must be an integer from 128 to 10240/,
    );
    expect(() =>
      serviceIn({ functionOverrides: { 'no-such-function': { memorySize: 256 } } as never }),
    ).toThrow(/no such function/);
  });

  it('applies an override to its function only', () => {
    const { service } = serviceIn({
      functionOverrides: { 'verify-credential': { timeout: Duration.seconds(60), memorySize: 1024 } },
    });
    const template = Template.fromStack(Stack.of(service));
    const verify = Stack.of(service).resolve(
      (service.functions['verify-credential'].node.defaultChild as { logicalId?: string }).logicalId,
    );
    expect(template.toJSON().Resources[verify].Properties).toMatchObject({ Timeout: 60, MemorySize: 1024 });
    const others = Object.entries(template.findResources('AWS::Lambda::Function'))
      .filter(([id]) => id !== verify)
      .map(([, resource]) => resource.Properties.MemorySize);
    expect(others.filter((memory) => memory === 1024)).toEqual([]);
  });

  it('uses an existing key instead of creating one', () => {
    const stack = new Stack(new App(), 'Platform');
    const existingKey = new kms.Key(stack, 'PlatformKey', { enableKeyRotation: true });
    const service = new CredentialsService(stack, 'Credentials', { ...REQUIRED, existingKey });
    expect(service.key).toBe(existingKey);
    Template.fromStack(stack).resourceCountIs('AWS::KMS::Key', 1);
  });

  it('grantManage lets a role invoke the management functions and not resolve; grantReadEvents only rules on its bus', () => {
    const { stack, service } = serviceIn();
    const automation = new iam.Role(stack, 'Automation', { assumedBy: new iam.AccountRootPrincipal() });
    const subscriber = new iam.Role(stack, 'Subscriber', { assumedBy: new iam.AccountRootPrincipal() });
    service.grantManage(automation);
    service.grantReadEvents(subscriber);
    const policies = Template.fromStack(stack).findResources('AWS::IAM::Policy');
    const of = (role: iam.Role) => {
      const roleId = stack.resolve((role.node.defaultChild as iam.CfnRole).logicalId);
      return JSON.stringify(
        Object.values(policies).filter((policy) => JSON.stringify(policy.Properties.Roles).includes(roleId)),
      );
    };
    const resolveId = stack.resolve(
      (service.resolveFunction.node.defaultChild as { logicalId?: string }).logicalId,
    );
    const createId = stack.resolve(
      (service.functions['create-credential'].node.defaultChild as { logicalId?: string }).logicalId,
    );
    expect(of(automation)).toContain(createId);
    expect(of(automation)).not.toContain(resolveId);
    expect(of(subscriber)).toContain('events:PutRule');
    expect(of(subscriber)).not.toContain('lambda:InvokeFunction');
  });
});
