import { h, type VNode } from 'preact';
import { inlineMarkdownTree, type MarkdownNode, markdownTree } from './markdown-tree';

const render = (node: MarkdownNode, key: number): VNode | string => {
  if (typeof node === 'string') return node;
  const props =
    node.tag === 'a' ? { key, href: node.href, target: '_blank', rel: 'noopener noreferrer' } : { key };
  return h(node.tag, props, node.children.map(render));
};

/** A descriptor's description, rendered from Markdown (markdown-tree.ts says what is kept). */
export const Markdown = ({ text, class: className }: { text: string; class?: string }) => (
  <div class={className ? `markdown ${className}` : 'markdown'}>{markdownTree(text).map(render)}</div>
);

/** A field's one-line help, inside the element the caller gives. */
export const InlineMarkdown = ({ text }: { text: string }) => <>{inlineMarkdownTree(text).map(render)}</>;
