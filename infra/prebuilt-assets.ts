import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the prebuilt Lambda bundles and console files are. The package ships them under
 * `dist/assets/`; a checkout builds them with `npm run build`. Both are found from the package's
 * own root (the nearest package.json above this module), so the source and the compiled module
 * find the same folder.
 */
const packageRoot = (): string => {
  let directory = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(directory, 'package.json'))) {
    const parent = dirname(directory);
    if (parent === directory) throw new Error('credentials-service: no package.json above the construct.');
    directory = parent;
  }
  return directory;
};

export const ASSETS_DIRECTORY = join(packageRoot(), 'dist', 'assets');

const required = (directory: string, file: string): string => {
  if (!existsSync(join(directory, file))) {
    throw new Error(
      `credentials-service: ${join(directory, file)} is missing. In a checkout, run \`npm run build\` before synthesis; an installed package ships it.`,
    );
  }
  return directory;
};

/** The folder holding one function's bundle (`index.js`, its source map): the Lambda asset. */
export const functionBundleDirectory = (functionName: string): string =>
  required(join(ASSETS_DIRECTORY, 'functions', functionName), 'index.js');

/** The console's static files (config.json is added per stack at deploy). */
export const consoleAssetsDirectory = (): string => required(join(ASSETS_DIRECTORY, 'console'), 'index.html');
