import { App, CfnParameter, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { CredentialsService, type CredentialsServiceProps } from '../../infra/index.ts';
import { parseTenants } from '../../infra/tenant-config.ts';

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

  it('refuses, naming each prop, what cdk.json refuses with the same words', () => {
    expect(() => serviceIn({ logRetention: 100 as never })).toThrow(
      /Invalid CredentialsService props:\n {2}logRetention: must be a logs.RetentionDays value/,
    );
    expect(() => serviceIn({ secretRecoveryWindowDays: 3 })).toThrow(/secretRecoveryWindowDays: .*7/);
    expect(() =>
      serviceIn({ resolveInvokerArns: ['arn:aws:iam::123456789012:user/alice'], jwtIssuer: 'not a url' }),
    ).toThrow(/jwtIssuer: [\s\S]*resolveInvokerArns\.0: must be an IAM role ARN/);
    expect(() => serviceIn({ tenantId: 'a tenant' })).toThrow(/tenantId: must be 1-64 letters/);
    const topic = { bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-central-1:222222222222:t' }) };
    expect(() => serviceIn({ alarmActions: Array.from({ length: 6 }, () => topic) })).toThrow(
      /alarmActions: CloudWatch takes at most 5 actions per alarm/,
    );
    expect(() =>
      parseTenants([
        { id: 't', ...REQUIRED, jwtAudience: [...REQUIRED.jwtAudience], secretRecoveryWindowDays: 3 },
      ]),
    ).toThrow(/secretRecoveryWindowDays/);
  });

  it('leaves values resolved at deploy (parameters, imports) to deployment', () => {
    const stack = new Stack(new App(), 'Platform');
    const issuer = new CfnParameter(stack, 'Issuer').valueAsString;
    expect(
      () => new CredentialsService(stack, 'Credentials', { ...REQUIRED, jwtIssuer: issuer }),
    ).not.toThrow();
  });

  it('turns on X-Ray tracing and applies log retention and alarm actions to what it creates', () => {
    const { stack, service } = serviceIn({
      tracing: true,
      logRetention: logs.RetentionDays.ONE_YEAR,
      alarmActions: [{ bind: () => ({ alarmActionArn: 'arn:aws:sns:eu-central-1:222222222222:ops' }) }],
    });
    const template = Template.fromStack(stack);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    expect(functions.length).toBe(Object.keys(service.functions).length);
    for (const fn of functions) expect(fn.Properties.TracingConfig).toEqual({ Mode: 'Active' });
    const retention = Object.values(template.findResources('AWS::Logs::LogGroup')).map(
      (group) => group.Properties.RetentionInDays,
    );
    expect(new Set(retention)).toEqual(new Set([365]));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBe(service.alarms.length);
    for (const alarm of alarms)
      expect(alarm.Properties.AlarmActions).toEqual(['arn:aws:sns:eu-central-1:222222222222:ops']);
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
