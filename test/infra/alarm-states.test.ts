import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTenants } from '../../infra/tenant-config.ts';
import { TenantStack } from '../../infra/tenant-stack.ts';

interface AlarmProperties {
  AlarmName?: unknown;
  MetricName?: string;
  Metrics?: {
    Id: string;
    Expression?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric: { MetricName: string } };
  }[];
  Threshold: number;
  ComparisonOperator: string;
  EvaluationPeriods: number;
  TreatMissingData: string;
}

/** One period's datapoints by metric name; a name left out had no datapoint (nothing was emitted). */
type Period = Record<string, number>;

/**
 * CloudWatch's metric math for the forms the stack uses (ids, numbers, `+`, `-`, `FILL(id, value)`),
 * with its documented rule for missing data: an arithmetic result exists only where every operand
 * has a datapoint, and FILL supplies one where a series has none.
 */
const evaluate = (expression: string, values: Record<string, number | undefined>): number | undefined => {
  const tokens = expression.match(/FILL\(\s*\w+\s*,\s*-?[\d.]+\s*\)|\w+|[+-]/g) ?? [];
  let total: number | undefined = 0;
  let sign = 1;
  for (const token of tokens) {
    if (token === '+' || token === '-') {
      sign = token === '-' ? -1 : 1;
      continue;
    }
    const fill = /^FILL\(\s*(\w+)\s*,\s*(-?[\d.]+)\s*\)$/.exec(token);
    const value = fill
      ? (values[fill[1] as string] ?? Number(fill[2]))
      : /^[\d.]+$/.test(token)
        ? Number(token)
        : values[token];
    total = total === undefined || value === undefined ? undefined : total + sign * value;
    sign = 1;
  }
  return total;
};

/** The state one evaluation period leaves the alarm in (the stack's alarms all look at one period). */
const stateOf = (alarm: AlarmProperties, period: Period): 'ALARM' | 'OK' => {
  expect(alarm.EvaluationPeriods).toBe(1);
  let value: number | undefined;
  if (alarm.Metrics) {
    const byId: Record<string, number | undefined> = {};
    for (const metric of alarm.Metrics)
      if (metric.MetricStat) byId[metric.Id] = period[metric.MetricStat.Metric.MetricName];
    const returned = alarm.Metrics.find((metric) => metric.ReturnData !== false && metric.Expression);
    value = evaluate(returned?.Expression ?? '', byId);
  } else {
    value = period[alarm.MetricName ?? ''];
  }
  if (value === undefined) {
    if (alarm.TreatMissingData === 'breaching') return 'ALARM';
    return 'OK'; // notBreaching, and (for one period) ignore/missing keep or report no alarm
  }
  const breaching =
    alarm.ComparisonOperator === 'GreaterThanOrEqualToThreshold'
      ? value >= alarm.Threshold
      : alarm.ComparisonOperator === 'GreaterThanThreshold'
        ? value > alarm.Threshold
        : alarm.ComparisonOperator === 'LessThanThreshold'
          ? value < alarm.Threshold
          : value <= alarm.Threshold;
  return breaching ? 'ALARM' : 'OK';
};

describe('every alarm takes the state its name promises', () => {
  let alarms: Record<string, AlarmProperties>;
  const alarm = (prefix: string): AlarmProperties => {
    const entry = Object.entries(alarms).find(([id]) => id.startsWith(prefix));
    if (!entry) throw new Error(`no alarm ${prefix}`);
    return entry[1];
  };

  beforeAll(() => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const [tenant] = parseTenants([
      { id: 'alarms', region: 'eu-west-1', jwtIssuer: 'https://login.example/', jwtAudience: ['api'] },
    ]);
    const template = Template.fromStack(
      new TenantStack(app, 'Credentials-alarms', tenant ?? (undefined as never)),
    );
    alarms = Object.fromEntries(
      Object.entries(template.findResources('AWS::CloudWatch::Alarm')).map(([id, resource]) => [
        id.replace(/^Credentials/, ''),
        (resource as { Properties: AlarmProperties }).Properties,
      ]),
    );
  });

  it('Failures-resolve-credential: a timeout or crash with no refusal alarms; refusals alone and quiet do not', () => {
    const failures = alarm('Failuresresolvecredential');
    expect(stateOf(failures, { Errors: 1 })).toBe('ALARM'); // a timeout: no Refusals datapoint at all
    expect(stateOf(failures, { Errors: 3, Refusals: 1 })).toBe('ALARM');
    expect(stateOf(failures, { Errors: 2, Refusals: 2 })).toBe('OK'); // every error was a refusal
    expect(stateOf(failures, {})).toBe('OK'); // a quiet period
    // The expression it replaced had no value exactly when a timeout came without a refusal.
    expect(evaluate('errors - refusals', { errors: 1, refusals: undefined })).toBeUndefined();
  });

  it('Errors-<function>: a crash or timeout of the stream consumers and the sweeper alarms; quiet does not', () => {
    for (const name of [
      'Errorspurgedeletedsecrets',
      'Errorssweeporphansecrets',
      'Errorspublishlifecycleevents',
    ]) {
      expect(stateOf(alarm(name), { Errors: 1 }), name).toBe('ALARM');
      expect(stateOf(alarm(name), {}), name).toBe('OK');
    }
  });

  it('UnexpectedErrors-<function>: one 500 alarms; refusals and quiet do not', () => {
    const unexpected = alarm('UnexpectedErrorsgetcredential');
    expect(stateOf(unexpected, { UnexpectedErrors: 1 })).toBe('ALARM');
    expect(stateOf(unexpected, { Refusals: 4 })).toBe('OK');
    expect(stateOf(unexpected, {})).toBe('OK');
  });

  it('DeadLettersAlarm: one message alarms; an empty queue does not', () => {
    const deadLetters = alarm('DeadLettersAlarm');
    expect(stateOf(deadLetters, { ApproximateNumberOfMessagesVisible: 1 })).toBe('ALARM');
    expect(stateOf(deadLetters, { ApproximateNumberOfMessagesVisible: 0 })).toBe('OK');
    expect(stateOf(deadLetters, {})).toBe('OK');
  });

  it('Api5xx: five 5xx in the period alarm, four do not', () => {
    const api = alarm('Api5xx');
    expect(stateOf(api, { '5xx': 5 })).toBe('ALARM');
    expect(stateOf(api, { '5xx': 4 })).toBe('OK');
    expect(stateOf(api, {})).toBe('OK');
  });
});
