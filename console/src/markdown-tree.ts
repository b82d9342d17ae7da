import { lexer, type Token, type Tokens } from 'marked';

/**
 * Descriptor descriptions are Markdown. They become this tree of a few safe elements, which the
 * console renders as elements, never as HTML: raw HTML in a description shows as its text, only
 * https links are links, and what the console does not render (headings, tables, images) reads
 * as its source.
 */
export type MarkdownNode =
  | string
  | {
      readonly tag: 'p' | 'ul' | 'ol' | 'li' | 'strong' | 'em' | 'code' | 'pre' | 'a' | 'br' | 'span';
      readonly href?: string;
      readonly children: readonly MarkdownNode[];
    };

const httpsOnly = (href: string): string | undefined => {
  try {
    return new URL(href).protocol === 'https:' ? href : undefined;
  } catch {
    return undefined;
  }
};

const inline = (tokens: readonly Token[] | undefined): MarkdownNode[] =>
  (tokens ?? []).map((token): MarkdownNode => {
    switch (token.type) {
      case 'strong':
        return { tag: 'strong', children: inline((token as Tokens.Strong).tokens) };
      case 'em':
        return { tag: 'em', children: inline((token as Tokens.Em).tokens) };
      case 'codespan':
        return { tag: 'code', children: [(token as Tokens.Codespan).text] };
      case 'br':
        return { tag: 'br', children: [] };
      case 'link': {
        const link = token as Tokens.Link;
        const href = httpsOnly(link.href);
        return href
          ? { tag: 'a', href, children: inline(link.tokens) }
          : { tag: 'span', children: inline(link.tokens) };
      }
      case 'text': {
        const text = token as Tokens.Text;
        return text.tokens ? { tag: 'span', children: inline(text.tokens) } : text.text;
      }
      case 'escape':
        return (token as Tokens.Escape).text;
      default:
        return token.raw;
    }
  });

const block = (token: Token): MarkdownNode | undefined => {
  switch (token.type) {
    case 'paragraph':
      return { tag: 'p', children: inline((token as Tokens.Paragraph).tokens) };
    case 'list': {
      const list = token as Tokens.List;
      const items = list.items.map(
        (item): MarkdownNode => ({ tag: 'li', children: item.tokens.flatMap((child) => block(child) ?? []) }),
      );
      return { tag: list.ordered ? 'ol' : 'ul', children: items };
    }
    case 'text': {
      const text = token as Tokens.Text;
      return { tag: 'span', children: text.tokens ? inline(text.tokens) : [text.text] };
    }
    case 'code':
      return { tag: 'pre', children: [{ tag: 'code', children: [(token as Tokens.Code).text] }] };
    case 'space':
      return undefined;
    default:
      return { tag: 'p', children: [token.raw.trim()] };
  }
};

/** A description's paragraphs and lists. */
export const markdownTree = (text: string): MarkdownNode[] =>
  lexer(text).flatMap((token) => block(token) ?? []);

/** A one-line description (a field's help): its inline parts, without the paragraph. */
export const inlineMarkdownTree = (text: string): MarkdownNode[] =>
  markdownTree(text).flatMap((node) =>
    typeof node !== 'string' && node.tag === 'p' ? node.children : [node],
  );
