import { GSI1, GSI2, GSI3, GSI4, TTL_ATTRIBUTE } from './table-layout.ts';

/**
 * The table's keys and indexes, shared by the CDK construct and the local runtime so both create
 * exactly the layout `table-layout.ts` reads and writes.
 */
export const TABLE_KEYS = {
  partitionKey: 'PK',
  sortKey: 'SK',
  globalIndexes: [
    { name: GSI1, partitionKey: 'GSI1PK', sortKey: 'GSI1SK' },
    { name: GSI2, partitionKey: 'GSI2PK', sortKey: 'GSI2SK' },
    { name: GSI3, partitionKey: 'GSI3PK', sortKey: 'GSI3SK' },
    { name: GSI4, partitionKey: 'GSI4PK', sortKey: 'GSI4SK' },
  ],
  ttlAttribute: TTL_ATTRIBUTE,
} as const;
