import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { addLocalComponents } from '../shared/components/trusted.ts';
import { loadLocalComponents } from './local-components.ts';
import { LOCAL_STATE_DIRECTORY } from './local-paths.ts';

/**
 * `npm run invoke -- <function> '<event JSON>'`: invokes a function's handler directly, as Step
 * Functions or another Lambda would, against the services `npm start` is running.
 */
const [functionName, eventJson] = process.argv.slice(2);
const endpointsFile = join(LOCAL_STATE_DIRECTORY, 'endpoints.json');
const functionsDirectory = new URL('../functions/', import.meta.url);
const known = readdirSync(functionsDirectory, { withFileTypes: true })
  .filter(
    (entry) => entry.isDirectory() && existsSync(new URL(`${entry.name}/handler.ts`, functionsDirectory)),
  )
  .map((entry) => entry.name)
  .sort();
const usage = `Usage: npm run invoke -- <function-name> '<event JSON>'   (with npm start running)\nFunctions:\n  ${known.join('\n  ')}\n`;
// Asked with nothing (or for help), the usage is the answer; a call with half its arguments is a mistake.
if (!functionName || functionName === '--help' || functionName === '-h') {
  process.stdout.write(usage);
  process.exit(0);
}
if (!eventJson || !/^[a-z-]+$/.test(functionName)) {
  process.stderr.write(usage);
  process.exit(2);
}
if (!known.includes(functionName)) {
  process.stderr.write(`Unknown function '${functionName}'. Functions:\n  ${known.join('\n  ')}\n`);
  process.exit(2);
}
if (!existsSync(endpointsFile)) {
  process.stderr.write('Start the service first: npm start\n');
  process.exit(2);
}
Object.assign(process.env, JSON.parse(readFileSync(endpointsFile, 'utf8')));
// The components of one's own that `npm start` loaded, for a credential of one of them.
if (process.env.LOCAL_COMPONENTS_DIR) {
  try {
    addLocalComponents(
      loadLocalComponents(process.env.LOCAL_COMPONENTS_DIR, {
        petstoreBaseUrl: process.env.PETSTORE_BASE_URL,
        demoOAuth2BaseUrl: process.env.DEMO_OAUTH2_BASE_URL,
      }),
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
const { handler } = (await import(`../functions/${functionName}/handler.ts`)) as {
  handler: (event: unknown, context: unknown) => Promise<unknown>;
};
try {
  const result = await handler(JSON.parse(eventJson), { awsRequestId: 'local-invoke' });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} catch (error) {
  process.stdout.write(`${(error as Error).name}: ${(error as Error).message}\n`);
  process.exitCode = 1;
}
