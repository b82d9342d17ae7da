import type { Credential } from '../api/client';
import { CredentialStatus, formatTime } from '../ui';

/** Credentials across components as every such list shows them: name, component, status, last check. */
export const CredentialTable = ({
  items,
  caption,
  componentNames,
}: {
  items: readonly Credential[];
  caption: string;
  /** Component names by id (an unknown id is shown as it is). */
  componentNames: Record<string, string>;
}) => {
  const componentOf = (credential: Credential) =>
    componentNames[credential.componentId] ?? credential.componentId;
  return (
    <table>
      <caption class="visually-hidden">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Account name</th>
          <th scope="col">Component</th>
          <th scope="col">Status</th>
          <th scope="col">Last verified</th>
        </tr>
      </thead>
      <tbody>
        {items.map((credential) => (
          <tr key={credential.id}>
            <td>
              <a href={`#/credential/${credential.id}`}>
                {credential.name ?? `${componentOf(credential)} account`}
              </a>
            </td>
            <td>{componentOf(credential)}</td>
            <td>
              <CredentialStatus credential={credential} />
            </td>
            <td>{formatTime(credential.lastVerifiedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
};
