import type { AuditEntry } from '../domain/audit.ts';
import type { Flow } from '../domain/flow.ts';
import type { Page } from './credential-repository.ts';

/**
 * A flow going from `previous` to `next`: creation (previous null), change, (de)activation, or
 * deletion (next null). Several changes are applied in one transaction.
 */
export interface FlowChange {
  readonly previous: Flow | null;
  readonly next: Flow | null;
}

export interface FlowRepository {
  get(tenantId: string, flowId: string): Promise<Flow | null>;
  list(tenantId: string, query: { limit: number; cursor?: string }): Promise<Page<Flow>>;
  /**
   * Applies the changes and every credential reference they add or release in one
   * TransactWriteItems. Fails as a whole if a referenced credential is gone, belongs to another
   * component, or a flow changed since it was read. `audit` records are written in the same
   * transaction (what the change means for a credential: a replace).
   */
  apply(changes: readonly FlowChange[], audit?: readonly AuditEntry[]): Promise<void>;
  /**
   * Deletes a flow item that no longer parses, releasing the references its usage items record
   * (those are written in the same transactions as the flow, so they are the truth about it).
   */
  deleteCorrupt(tenantId: string, flowId: string): Promise<void>;
}
