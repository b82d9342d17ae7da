import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, inject, it } from 'vitest';
import { createServiceTable } from '../../local/create-table.ts';
import { localAwsEnvironment } from '../../local/local-aws-environment.ts';

const root = new URL('../../', import.meta.url).pathname;
const tsx = new URL('../../node_modules/tsx/dist/cli.mjs', import.meta.url).pathname;

/** `npm run invoke -- …` as a newcomer runs it, without npm's own output. */
const invoke = (...args: string[]) =>
  spawnSync(process.execPath, [tsx, 'local/invoke.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '--no-warnings' },
  });

describe('the local tools a newcomer meets', () => {
  it('npm run invoke with an unknown function lists the valid names instead of a stack trace', () => {
    const run = invoke('no-such-function', '{}');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("Unknown function 'no-such-function'");
    expect(run.stderr).toContain('resolve-credential');
    expect(run.stderr).toContain('create-credential');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    // Folders without a handler (the contract builder) are not offered.
    expect(run.stderr).not.toContain('contract');
  });

  it('npm run invoke with no arguments answers with its usage and the functions, and succeeds', () => {
    const run = invoke();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: npm run invoke -- <function-name>');
    expect(run.stdout).toContain('resolve-credential');
  });

  /** Runs `npm start` to its end (it fails here); what it printed. */
  const startFailing = (env: Record<string, string>) =>
    new Promise<{ status: number | null; stderr: string; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [tsx, 'local/start.ts'], {
        cwd: root,
        env: { ...process.env, NODE_OPTIONS: '--no-warnings', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      let stdout = '';
      child.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      child.once('exit', (status) => resolve({ status, stderr, stdout }));
    });
  it('npm start on a busy port says which port and how to choose another, before starting anything', async () => {
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    try {
      const run = await startFailing({ PORT: String(port) });
      expect(run.status).not.toBe(0);
      expect(run.stderr).toContain(`Port ${port} on 127.0.0.1 is in use`);
      expect(run.stderr).toContain('PORT=3001 npm start');
      expect(run.stderr).not.toMatch(/\n\s+at /);
      // Nothing was started: no DynamoDB Local, no listening gateway.
      expect(run.stdout).not.toContain('listening');
    } finally {
      busy.close();
    }
  }, 60_000);

  /** Processes still running whose command line names `text` (DynamoDB Local's data folder). */
  const processesNaming = (text: string) =>
    spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((line) => line.includes(text) && !line.includes('ps -eo'));

  it('npm start stops everything it started on every failure: a broken descriptor, a demo port in use', async () => {
    const state = mkdtempSync(join(tmpdir(), 'start-state-'));
    const components = mkdtempSync(join(tmpdir(), 'start-components-'));
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const free = createServer();
    await new Promise<void>((resolve) => free.listen(0, '127.0.0.1', resolve));
    const port = String((free.address() as AddressInfo).port);
    await new Promise<void>((resolve) => free.close(() => resolve()));
    try {
      writeFileSync(join(components, 'broken.json'), '{ "id": ');
      const broken = await startFailing({
        PORT: port,
        CREDENTIALS_LOCAL_STATE: state,
        LOCAL_COMPONENTS_DIR: components,
      });
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toContain('broken.json: not JSON');
      expect(broken.stderr).not.toMatch(/\n\s+at /);
      expect(processesNaming(state)).toEqual([]);

      // A failure after DynamoDB Local and Secrets Manager started: both are stopped.
      const demoPortInUse = await startFailing({
        PORT: port,
        CREDENTIALS_LOCAL_STATE: state,
        PETSTORE_DEMO_PORT: String((busy.address() as AddressInfo).port),
      });
      expect(demoPortInUse.status).not.toBe(0);
      expect(demoPortInUse.stderr).toMatch(/EADDRINUSE|in use/);
      expect(processesNaming(state)).toEqual([]);
    } finally {
      busy.close();
      rmSync(state, { recursive: true, force: true });
      rmSync(components, { recursive: true, force: true });
    }
  }, 120_000);

  it('npm run invoke loads the same components of one’s own as npm start did', async () => {
    const state = mkdtempSync(join(tmpdir(), 'invoke-state-'));
    const components = mkdtempSync(join(tmpdir(), 'invoke-components-'));
    const tableName = `invoke-${Date.now()}`;
    const dynamoDb = new DynamoDBClient({
      region: 'us-east-1',
      endpoint: inject('dynamoDbEndpoint'),
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await createServiceTable(dynamoDb, tableName);
      const descriptor = JSON.parse(readFileSync(join(root, 'shared/components/http-api-key.json'), 'utf8'));
      writeFileSync(
        join(components, 'my-api.json'),
        JSON.stringify({ ...descriptor, $schema: undefined, id: 'my-api', name: 'My API' }),
      );
      // What npm start writes for invoke, naming the folder it loaded components from.
      writeFileSync(
        join(state, 'endpoints.json'),
        JSON.stringify({
          ...localAwsEnvironment(
            { dynamoDb: inject('dynamoDbEndpoint'), secretsManager: 'http://127.0.0.1:9' },
            tableName,
          ),
          LOCAL_COMPONENTS_DIR: components,
        }),
      );
      const run = spawnSync(
        process.execPath,
        [
          tsx,
          'local/invoke.ts',
          'get-component',
          '{"tenantId":"dev-tenant","input":{"componentId":"my-api"}}',
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, NODE_OPTIONS: '--no-warnings', CREDENTIALS_LOCAL_STATE: state },
        },
      );
      expect(run.stderr).toBe('');
      // The answer is the pretty-printed JSON after the function's own log lines.
      const answer = run.stdout.slice(run.stdout.indexOf('{\n'));
      expect(JSON.parse(answer)).toMatchObject({ id: 'my-api', name: 'My API' });
    } finally {
      dynamoDb.destroy();
      rmSync(state, { recursive: true, force: true });
      rmSync(components, { recursive: true, force: true });
    }
  }, 60_000);

  it('DynamoDB Local (running for this test run) writes nothing at the checkout root', () => {
    expect(existsSync(new URL('dynamodb-local-metadata.json', `file://${root}`))).toBe(false);
  });
});
