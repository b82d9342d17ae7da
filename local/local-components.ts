import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPONENT_DESCRIPTORS } from '../shared/components/descriptors.ts';
import type { ComponentDefinition } from '../shared/domain/component.ts';
import { loadComponents } from '../shared/domain/component-descriptor.ts';
import type { ComponentSettings } from '../shared/domain/component-settings.ts';

/** A loopback origin with a port: what a provider or API of one's own listens on locally. */
const LOOPBACK_ORIGIN = /http:\/\/(127\.0\.0\.1|localhost):(\d{1,5})(?![\d])/g;

/** Exactly a loopback origin, then the end of the URL or its path: no other host, no userinfo. */
const ALLOWED_PLAIN_HTTP = /^http:\/\/(127\.0\.0\.1|localhost):\d{1,5}(?=["/]|$)/i;

/**
 * Plain http is for one's own provider on this machine only: `http://127.0.0.2`, `http://[::1]`,
 * `http://user@127.0.0.1:9000` and the like are refused here, as the docs say, not just at run time.
 */
const refuseOtherPlainHttp = (text: string, file: string) => {
  for (const match of text.matchAll(/http:\/\//gi)) {
    const url = text.slice(match.index, match.index + 300);
    if (!ALLOWED_PLAIN_HTTP.test(url))
      throw new Error(
        `Invalid component descriptor ${file}: '${url.split('"')[0]}' is plain http to another host than http://127.0.0.1:<port> or http://localhost:<port>.`,
      );
  }
};

/**
 * Extra component descriptors for `npm start`, from a folder (`LOCAL_COMPONENTS_DIR`): validated
 * exactly as the bundled ones, except that `http://127.0.0.1:<port>` and `http://localhost:<port>`
 * URLs are accepted (a deployed descriptor stays https). Each loopback origin is read as a setting
 * the schema already allows (`{{$…}}`), so no rule of the schema is loosened.
 */
export const loadLocalComponents = (
  directory: string,
  settings: ComponentSettings,
): ComponentDefinition[] => {
  const loopback: Record<string, string> = {};
  const descriptors: Record<string, unknown> = {};
  for (const file of readdirSync(directory)
    .filter((name) => name.endsWith('.json'))
    .sort()) {
    const raw = readFileSync(join(directory, file), 'utf8');
    refuseOtherPlainHttp(raw, `${directory}/${file}`);
    const text = raw.replace(LOOPBACK_ORIGIN, (origin: string, host: string, port: string) => {
      const name = `loopback${host === 'localhost' ? 'Name' : 'Address'}${port}`;
      loopback[name] = origin;
      return `{{$${name}}}`;
    });
    try {
      descriptors[file] = JSON.parse(text);
    } catch (error) {
      throw new Error(
        `Invalid component descriptor ${directory}/${file}: not JSON (${(error as Error).message})`,
      );
    }
  }
  const components = loadComponents(descriptors, { ...settings, ...loopback }, directory);
  const bundled = new Set(Object.keys(COMPONENT_DESCRIPTORS).map((file) => file.replace(/\.json$/, '')));
  for (const component of components)
    if (bundled.has(component.id))
      throw new Error(
        `${directory}/${component.id}.json: a bundled component already has the id '${component.id}'.`,
      );
  return components;
};
