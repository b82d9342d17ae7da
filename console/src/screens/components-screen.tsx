import type { Api } from '../api/client';
import { Markdown } from '../markdown';
import { Loaded, useComponents } from '../ui';

/** The credentials page: each component with the number of credentials it has. */
export const ComponentsScreen = ({ api }: { api: Api }) => {
  const components = useComponents(api);
  return (
    <Loaded loading={components} busy="Loading components">
      {(components) => (
        <section aria-labelledby="components-title">
          <h1 id="components-title">Credentials</h1>
          <p>Pick a component to see its credentials or create one.</p>
          <ul class="cards">
            {components.map((component) => (
              <li key={component.id} class="card">
                <a href={`#/components/${component.id}`} class="card-link">
                  <span class="card-name">{component.name}</span>
                  <span class="count">
                    {component.credentialCount}
                    <span class="visually-hidden"> credentials</span>
                  </span>
                </a>
                <Markdown class="card-description" text={component.description} />
              </li>
            ))}
          </ul>
        </section>
      )}
    </Loaded>
  );
};
