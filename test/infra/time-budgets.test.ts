import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HTTP_FUNCTION_NAMES } from '../../api/routes.ts';
import { type AnyFunctionName, FUNCTION_ACCESS } from '../../infra/function-catalog.ts';
import { parseTenants } from '../../infra/tenant-config.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';
import {
  COLD_START_ALLOWANCE_MS,
  HTTP_API_TIMEOUT_MS,
  HTTP_REFRESH_LEASE_WAIT_MS,
  timeBudgetOf,
} from '../../infra/time-budgets.ts';
import { refreshSettingsFrom } from '../../shared/composition/ports.ts';
import { loadServiceConfig } from '../../shared/config/service-config.ts';
import { DEFAULT_REFRESH_SETTINGS, refreshTimeBudgetMs } from '../../shared/domain/refresh-timing.ts';

type LambdaFunction = {
  Properties: { Timeout: number; Environment: { Variables: Record<string, unknown> } };
};

describe("functions' time budgets", () => {
  const synthesized = new Map<AnyFunctionName, LambdaFunction['Properties']>();

  beforeAll(() => {
    const tenants = [
      { id: 'acme', region: 'eu-west-1', jwtIssuer: 'https://issuer.example/', jwtAudience: ['api'] },
    ];
    const app = new App({
      context: { 'credentials-service:tenants': tenants, 'aws:cdk:bundling-stacks': [] },
    });
    const [tenant] = parseTenants(tenants);
    if (!tenant) throw new Error('no tenant');
    const template = Template.fromStack(new TenantStack(app, 'Credentials-acme', tenant));
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as LambdaFunction[]) {
      synthesized.set(fn.Properties.Environment.Variables.FUNCTION_KEY as AnyFunctionName, fn.Properties);
    }
  });

  it('sets every timeout to the sum of the waits its code can make', () => {
    expect([...synthesized.keys()].sort()).toEqual(Object.keys(FUNCTION_ACCESS).sort());
    for (const [name, fn] of synthesized) {
      // The sweeper works to its own deadline (the remaining time) and resumes on the next run.
      if (name === 'sweep-orphan-secrets') continue;
      expect({ name, timeout: fn.Timeout }).toEqual({
        name,
        timeout: timeBudgetOf(name, FUNCTION_ACCESS[name]).timeoutSeconds,
      });
    }
  });

  it('lets every HTTP route answer, cold start included, before API Gateway gives up at 30 s', () => {
    for (const name of HTTP_FUNCTION_NAMES) {
      const timeoutMs = (synthesized.get(name)?.Timeout ?? Number.POSITIVE_INFINITY) * 1000;
      expect({ name, fits: timeoutMs + COLD_START_ALLOWANCE_MS <= HTTP_API_TIMEOUT_MS }).toEqual({
        name,
        fits: true,
      });
    }
  });

  it('gives the code the waits the budget counted: verification timeout, and a shorter lease wait behind HTTP', () => {
    for (const [name, fn] of synthesized) {
      const environment = { ...fn.Environment.Variables, TABLE_NAME: 't' } as Record<string, string>;
      const config = loadServiceConfig(environment);
      const waits = timeBudgetOf(name, FUNCTION_ACCESS[name]).waits;
      expect(environment.VERIFICATION_TIMEOUT_MS).toBe(String(config.verificationTimeoutMs));
      if (waits.verification !== undefined) expect(waits.verification).toBe(config.verificationTimeoutMs);
      const refreshWait = Object.entries(waits).find(([wait]) => wait.startsWith('refresh'))?.[1];
      if (refreshWait !== undefined) {
        // What the refresh code will allow itself, read back from the function's own environment.
        expect({ name, refresh: refreshTimeBudgetMs(refreshSettingsFrom(config)) }).toEqual({
          name,
          refresh: refreshWait,
        });
      }
    }
    expect(synthesized.get('verify-credential')?.Environment.Variables.REFRESH_LEASE_WAIT_MS).toBe(
      String(HTTP_REFRESH_LEASE_WAIT_MS),
    );
    expect(synthesized.get('resolve-credential')?.Environment.Variables.REFRESH_LEASE_WAIT_MS).toBe(
      String(DEFAULT_REFRESH_SETTINGS.leaseWaitMs),
    );
  });

  it('gives the connect callback room for the code exchange and the verification after it', () => {
    const waits = timeBudgetOf('complete-connect', FUNCTION_ACCESS['complete-connect']).waits;
    expect(Object.keys(waits)).toEqual([
      'AWS calls',
      'one stuck AWS attempt',
      'code exchange',
      'verification',
    ]);
    expect(synthesized.get('complete-connect')?.Timeout).toBe(16);
    expect(synthesized.get('verify-credential')?.Timeout).toBe(27);
    expect(synthesized.get('resolve-credential')?.Timeout).toBe(34);
    expect(synthesized.get('get-credential')?.Timeout).toBe(6);
    expect(synthesized.get('purge-deleted-secrets')?.Timeout).toBe(81);
  });
});
