import { fileURLToPath } from 'node:url';

/** Git-ignored folder holding local data: DynamoDB Local files, local secrets, the issuer key. */
export const LOCAL_STATE_DIRECTORY = fileURLToPath(new URL('../.local', import.meta.url));
