import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { parseTenants } from '../../infra/tenant-config.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';

/** A tenant with every optional part (console, alarm topic, VPC), so every acknowledgement is made. */
const everything = {
  id: 'acme',
  account: '111111111111',
  region: 'eu-west-1',
  jwtIssuer: 'https://acme.eu.auth0.com/',
  jwtAudience: ['credentials-api'],
  console: { clientId: 'acme-console' },
  alarmEmails: ['oncall@acme.example'],
  vpc: {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a'],
    privateSubnetIds: ['subnet-0123456789abcdef0'],
    securityGroupIds: ['sg-0123456789abcdef0'],
  },
};

describe("the construct's cdk-nag acknowledgements", () => {
  const app = new App({
    context: { 'credentials-service:tenants': [everything], 'aws:cdk:bundling-stacks': [] },
  });
  const [tenant] = parseTenants([everything]);
  if (!tenant) throw new Error('no tenant');
  const stack = new TenantStack(app, 'Credentials-acme', tenant);

  const acknowledgements: { path: string; rule: string }[] = [];
  const collect = (node: IConstruct) => {
    for (const entry of node.node.metadata)
      if (entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        for (const id of Object.keys(entry.data as object))
          acknowledgements.push({ path: node.node.path, rule: id.replace(/^[^:]+::/, '') });
    for (const child of node.node.children) collect(child);
  };
  collect(stack);

  // What AwsSolutions finds with every acknowledgement ignored: each one must answer a finding.
  const unacknowledged = new AwsSolutionsChecks();
  (unacknowledged as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  const findings = unacknowledged.validateScope(stack).violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => ({
      rule: violation.ruleName,
      path: resource.constructPath,
    })),
  );

  it('each acknowledgement answers a finding on its own construct or below it', () => {
    expect(acknowledgements.length).toBeGreaterThan(20);
    const idle = acknowledgements.filter(
      (acknowledgement) =>
        !findings.some(
          (finding) =>
            finding.rule === acknowledgement.rule &&
            (finding.path === acknowledgement.path || finding.path?.startsWith(`${acknowledgement.path}/`)),
        ),
    );
    expect(idle).toEqual([]);
  });

  it('IAM acknowledgements name the one policy or resource they mean, never a whole rule', () => {
    const broad = acknowledgements.filter((acknowledgement) =>
      /^AwsSolutions-IAM\d$/.test(acknowledgement.rule),
    );
    expect(broad).toEqual([]);
  });

  it('the VPC policy is acknowledged exactly on the roles of the functions placed in the VPC', () => {
    const vpcPolicy = acknowledgements
      .filter((acknowledgement) => acknowledgement.rule.includes('AWSLambdaVPCAccessExecutionRole'))
      .map((acknowledgement) => acknowledgement.path.split('/').at(-2));
    expect(vpcPolicy.sort()).toEqual(
      [
        'complete-connect',
        'create-credential',
        'proxy-request',
        'purge-deleted-secrets',
        'resolve-credential',
        'update-credential',
        'verify-credential',
        'verify-due-credentials',
      ]
        .map((name) => `Fn-${name}`)
        .sort(),
    );
  });
});
