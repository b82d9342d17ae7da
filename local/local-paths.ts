import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Git-ignored folder holding local data: DynamoDB Local files, local secrets, the issuer key.
 * `CREDENTIALS_LOCAL_STATE` points a second stack (or the docs check) at another folder.
 */
export const LOCAL_STATE_DIRECTORY = process.env.CREDENTIALS_LOCAL_STATE
  ? resolve(process.env.CREDENTIALS_LOCAL_STATE)
  : fileURLToPath(new URL('../.local', import.meta.url));
