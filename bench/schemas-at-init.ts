import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { build, type Plugin } from 'esbuild';
import { ESBUILD_OPTIONS } from '../infra/bundling.ts';

/**
 * Counts the zod schemas a bundle constructs while it loads: zod's one constructor, instrumented in
 * a bench-only build, adds one per schema (its `$ZodType` trait) to a global the bench reads after
 * `require`. What the function itself builds at init, measured rather than assumed.
 */
const countingZod: Plugin = {
  name: 'count-zod-schemas',
  setup(build) {
    build.onLoad({ filter: /zod[\\/]v4[\\/]core[\\/]core\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const marker = 'inst._zod.traits.add(name);';
      if (!source.includes(marker)) throw new Error(`zod's constructor changed: ${args.path}`);
      return {
        contents: source.replace(
          marker,
          `${marker} if (name === "$ZodType") globalThis.__schemasBuilt = (globalThis.__schemasBuilt ?? 0) + 1;`,
        ),
        loader: 'js',
      };
    });
  },
};

export const schemasBuiltAtInit = async (entry: string, outfile: string): Promise<number> => {
  await build({
    ...ESBUILD_OPTIONS,
    entryPoints: [entry],
    outfile,
    external: [...ESBUILD_OPTIONS.external],
    plugins: [...ESBUILD_OPTIONS.plugins, countingZod],
    sourcemap: false,
    logLevel: 'silent',
  });
  const script = `require(${JSON.stringify(outfile)});process.stdout.write(String(globalThis.__schemasBuilt ?? 0));`;
  const output = execFileSync(process.execPath, ['--no-warnings', '-e', script], {
    env: { ...process.env, TABLE_NAME: 'bench', EVENT_BUS_NAME: 'bench', AWS_REGION: 'eu-west-1' },
  });
  return Number(output.toString());
};
