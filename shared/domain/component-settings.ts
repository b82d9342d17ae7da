/**
 * Deployment settings a descriptor may name as `{{$name}}` in its URLs (where the demo APIs live).
 * A descriptor that names a setting the deployment leaves unset is not offered at all.
 */
export type ComponentSettings = Readonly<Record<string, string | undefined>>;

const SETTING = /\{\{\$(\w+)\}\}/g;

/** Fills `{{$setting}}` in every string; `undefined` when a named setting is not configured. */
export const withSettings = <T>(value: T, settings: ComponentSettings): T | undefined => {
  let missing = false;
  const fill = (node: unknown): unknown => {
    if (typeof node === 'string')
      return node.replace(SETTING, (_match, name: string) => {
        const setting = settings[name];
        if (setting === undefined) missing = true;
        return setting ?? '';
      });
    if (Array.isArray(node)) return node.map(fill);
    if (node && typeof node === 'object')
      return Object.fromEntries(Object.entries(node).map(([key, child]) => [key, fill(child)]));
    return node;
  };
  const filled = fill(value) as T;
  return missing ? undefined : filled;
};
