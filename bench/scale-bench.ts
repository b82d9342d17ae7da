import { seededCredential } from '../local/seeded-credential.ts';
import {
  auditItem,
  countSk,
  credentialItem,
  type Key,
  tenantPk,
  toAttributes,
} from '../shared/adapters/dynamodb/table-layout.ts';
import { auditEntry } from '../shared/domain/audit.ts';
import type { Credential } from '../shared/domain/credential.ts';
import { type BenchStack, interleaved, percentile } from './local-stack.ts';
import { writeAll } from './seed.ts';

const ULID_CHARS = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Distinct, time-ordered ULIDs for seeded credentials (the index, base 32, after a fixed prefix). */
const ulidOf = (index: number): string => {
  let body = '';
  for (let value = index, digit = 0; digit < 16; digit++, value = Math.floor(value / 32))
    body = ULID_CHARS[value % 32] + body;
  return `01JB00000A${body}`;
};

const needsAttention = (index: number, total: number) => index % Math.floor(total / 5) === 3;

const credentialFor = (tenantId: string, index: number, total: number): Credential => {
  const componentId = index % 10 === 0 ? 'oauth2' : 'petstore';
  return seededCredential({
    tenantId,
    id: `${ulidOf(index)}.${componentId}`,
    componentId,
    name: `seeded ${index}`,
    fields: componentId === 'oauth2' ? { tokenUrl: 'https://login.example.com/token', clientId: 'c' } : {},
    secretFieldsSet: componentId === 'oauth2' ? ['accessToken'] : ['apiKey'],
    // Five need attention in each tenant, whatever its size: the sparse index must not care.
    status: needsAttention(index, total) ? 'invalid' : 'verified',
    statusReason: needsAttention(index, total) ? 'invalid_credentials: seeded' : null,
    createdAt: new Date(Date.now() - (total - index) * 1000).toISOString(),
  });
};

/** One tenant seeded through the repository's own item mapping: credentials, counts, one audit record each. */
const seedTenant = async (stack: BenchStack, tenantId: string, total: number) => {
  const items: Key[] = [];
  const counts: Record<string, number> = {};
  for (let index = 0; index < total; index++) {
    const credential = credentialFor(tenantId, index, total);
    counts[credential.componentId] = (counts[credential.componentId] ?? 0) + 1;
    items.push(credentialItem(credential));
    items.push(
      auditItem(
        auditEntry({ tenantId, subject: 'seed' }, credential, 'created', new Date(credential.createdAt)),
        90,
      ),
    );
  }
  for (const [componentId, credentialCount] of Object.entries(counts))
    items.push(
      toAttributes({ PK: tenantPk(tenantId), SK: countSk(componentId), componentId, credentialCount }),
    );
  await writeAll(stack.dynamoDb, stack.config.tableName, items);
  const token = await stack.issuer.sign(tenantId);
  const used = credentialFor(tenantId, total - 1, total);
  for (let flow = 0; flow < 5; flow++)
    await stack.api('PUT', `/flows/flow-${flow}`, token, {
      name: `flow ${flow}`,
      status: 'active',
      steps: [{ stepId: 's', componentId: used.componentId, credentialId: used.id }],
    });
  return { token, credentialId: used.id };
};

/** Requests per second and p99 of `run` at a given concurrency, with the errors counted. */
const load = async (concurrency: number, requests: number, run: () => Promise<{ status: number }>) => {
  const latencies: number[] = [];
  let errors = 0;
  let issued = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < requests) {
        issued++;
        const start = performance.now();
        const { status } = await run();
        latencies.push(performance.now() - start);
        if (status >= 400) errors++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return {
    concurrency,
    requests,
    perSecond: Math.round(requests / seconds),
    p99Ms: Math.round(percentile(latencies, 99) * 100) / 100,
    errors,
  };
};

/**
 * `npm run bench -- --scale`: one tenant of 100,000 credentials (90% petstore, 10% oauth2, one
 * audit record each) beside one of 100; each listing measured for both, interleaved, three
 * repeats; the ratio of the medians is what "flat cost" means. Then throughput under concurrency.
 */
export const benchScale = async (stack: BenchStack, big = 100_000, small = 100) => {
  const seedStarted = performance.now();
  const large = await seedTenant(stack, 'tenant-100k', big);
  const little = await seedTenant(stack, 'tenant-100', small);
  const seedSeconds = Math.round((performance.now() - seedStarted) / 100) / 10;

  // Pages of 10, so page 5 holds 10 credentials in both tenants (the small one has 90 petstore ones).
  const pageFive = async (token: string) => {
    let cursor: string | null = null;
    for (let page = 0; page < 4; page++) {
      const response: { body: { nextCursor: string | null } } = await stack.api(
        'GET',
        `/credentials?componentId=petstore&limit=10${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      cursor = response.body.nextCursor;
    }
    return `/credentials?componentId=petstore&limit=10&cursor=${cursor}`;
  };
  const rows = (tenant: { token: string; credentialId: string }, pageFivePath: string) => ({
    'GET /credentials by component, page 5': () => stack.api('GET', pageFivePath, tenant.token),
    'GET /components (the counts)': () => stack.api('GET', '/components', tenant.token),
    'GET /flows': () => stack.api('GET', '/flows', tenant.token),
    'GET /credentials/{id}/usage': () =>
      stack.api('GET', `/credentials/${tenant.credentialId}/usage`, tenant.token),
    'GET /credentials/{id}/audit': () =>
      stack.api('GET', `/credentials/${tenant.credentialId}/audit`, tenant.token),
    'GET /credentials?status=invalid': () => stack.api('GET', '/credentials?status=invalid', tenant.token),
  });
  const largeRows = rows(large, await pageFive(large.token));
  const littleRows = rows(little, await pageFive(little.token));
  const repeats: Record<string, { small: number; large: number }[]> = {};
  for (let repeat = 0; repeat < 3; repeat++) {
    const candidates: Record<string, () => Promise<unknown>> = {};
    for (const name of Object.keys(largeRows) as (keyof typeof largeRows)[]) {
      candidates[`${name}|small`] = littleRows[name];
      candidates[`${name}|large`] = largeRows[name];
    }
    const measured = await interleaved(100, candidates);
    for (const name of Object.keys(largeRows)) {
      repeats[name] ??= [];
      repeats[name]?.push({
        small: measured[`${name}|small`]?.medianMs ?? 0,
        large: measured[`${name}|large`]?.medianMs ?? 0,
      });
    }
  }
  const median = (values: number[]) => percentile(values, 50);
  const listings = Object.fromEntries(
    Object.entries(repeats).map(([name, samples]) => {
      const smallMs = median(samples.map((sample) => sample.small));
      const largeMs = median(samples.map((sample) => sample.large));
      return [
        name,
        { [`${small}`]: smallMs, [`${big}`]: largeMs, ratio: Math.round((largeMs / smallMs) * 100) / 100 },
      ];
    }),
  );

  const get = () => stack.api('GET', `/credentials/${large.credentialId}`, large.token);
  let created = 0;
  const create = () =>
    stack.api('POST', '/credentials', large.token, {
      componentId: 'petstore',
      fields: { apiKey: `load-${created++}` },
    });
  return {
    seeded: { [`tenant-${big}`]: big * 2, [`tenant-${small}`]: small * 2, seconds: seedSeconds },
    listings,
    throughput: {
      get: [await load(1, 1000, get), await load(10, 3000, get), await load(50, 5000, get)],
      create: [await load(10, 1000, create)],
    },
    note: 'listing medians in ms, each the median of 3 interleaved repeats of 100 requests per tenant, through the local gateway; the gateway hop (HTTP + JWT) is in every number alike',
  };
};
