/**
 * What a client's If-Match (RFC 9110 §13.1.1) asks of the current version: `*` is any existing
 * version, a list matches when any of its versions is the current one. Tags this API never issued
 * and weak tags are left out of the list by the HTTP layer, so they never match. A direct caller
 * sends one version number.
 */
export type VersionCondition = number | '*' | readonly number[];

export const versionSatisfies = (condition: VersionCondition, current: number | undefined): boolean => {
  if (current === undefined) return false;
  if (condition === '*') return true;
  return typeof condition === 'number' ? condition === current : condition.includes(current);
};

/** The versions a conditional write may accept, or `undefined` when any existing one will do. */
export const acceptedVersions = (condition: VersionCondition): readonly number[] | undefined =>
  condition === '*' ? undefined : typeof condition === 'number' ? [condition] : condition;
