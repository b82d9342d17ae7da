/** Text for an HTML page: every character that could open markup or an attribute, as an entity. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
