import { useMemo } from 'preact/hooks';
import { type Api, unwrap } from '../api/client';
import { Loaded, useComponents, useLoading } from '../ui';
import { CredentialTable } from './credential-table';

/** The reasons a person must act, worst first; each is one read of the sparse status index. */
const ATTENTION = ['invalid', 'unreachable', 'unverified', 'expiring'] as const;

/**
 * Every credential, across components, that was refused, could not be reached, was never
 * verified, or expires within its warning days.
 */
export const AttentionScreen = ({ api }: { api: Api }) => {
  // The components only name the rows: without them a row shows its component's id.
  const components = useComponents(api).value;
  const names = useMemo(
    () => Object.fromEntries((components ?? []).map((component) => [component.id, component.name])),
    [components],
  );
  const attention = useLoading(
    async () =>
      (
        await Promise.all(
          ATTENTION.map(
            async (status) =>
              unwrap(await api.GET('/credentials', { params: { query: { status, limit: 100 } } })).items,
          ),
        )
      ).flat(),
    [api],
  );
  return (
    <Loaded loading={attention} busy="Loading credentials that need attention">
      {(items) => (
        <section aria-labelledby="attention-title">
          <h1 id="attention-title">Needs attention</h1>
          <p>
            Credentials their service refused, could not reach, never verified, or that expire soon. The
            scheduled check finds them; replace their secrets or reconnect them, and flows that use them work
            again.
          </p>
          {items.length === 0 ? (
            <p>Nothing needs attention.</p>
          ) : (
            <CredentialTable items={items} caption="Credentials that need attention" componentNames={names} />
          )}
        </section>
      )}
    </Loaded>
  );
};
