import { COMPONENT_ID_PATTERN } from './component.ts';

/**
 * Credential ids are `<ULID>.<componentId>`. The ULID makes a reverse Query list newest first; the
 * component suffix lets delete update the per-component count inside its one transaction without
 * reading the item first (a credential never changes component). The suffix is checked against the
 * stored item in every condition, so a forged suffix only ever finds nothing.
 */
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

export const formatCredentialId = (ulid: string, componentId: string): string => `${ulid}.${componentId}`;

export const parseCredentialId = (id: string): { ulid: string; componentId: string } | null => {
  const dot = id.indexOf('.');
  if (dot !== 26) return null;
  const ulid = id.slice(0, dot);
  const componentId = id.slice(dot + 1);
  if (!ULID.test(ulid) || !COMPONENT_ID_PATTERN.test(componentId)) return null;
  return { ulid, componentId };
};
