import { describe, expect, it } from 'vitest';
import { inlineMarkdownTree, type MarkdownNode, markdownTree } from '../../console/src/markdown-tree.ts';

/** The tree as the HTML the console would make of it (attributes other than href left out). */
const html = (nodes: readonly MarkdownNode[]): string =>
  nodes
    .map((node) =>
      typeof node === 'string'
        ? node.replace(/</g, '&lt;')
        : `<${node.tag}${node.href ? ` href="${node.href}"` : ''}>${html(node.children)}</${node.tag}>`,
    )
    .join('');

describe('descriptions rendered from Markdown', () => {
  it('keeps paragraphs, lists, code, emphasis and https links', () => {
    expect(
      html(
        markdownTree(
          'Sent in the `api_key` header, **never** logged. See [the docs](https://example.com/x).',
        ),
      ),
    ).toBe(
      '<p>Sent in the <code>api_key</code> header, <strong>never</strong> logged. See <a href="https://example.com/x">the docs</a>.</p>',
    );
    expect(html(markdownTree('Two modes:\n\n- *require*\n- `disable`'))).toBe(
      '<p>Two modes:</p><ul><li><span><em>require</em></span></li><li><span><code>disable</code></span></li></ul>',
    );
  });

  it('never makes HTML or a script link of what a descriptor says', () => {
    const hostile = markdownTree(
      'A <img src=x onerror=alert(1)> and <script>alert(2)</script> [click](javascript:alert(3)) [file](http://plain.example)',
    );
    const rendered = html(hostile);
    expect(rendered).not.toContain('<img');
    expect(rendered).not.toContain('<script');
    expect(rendered).not.toContain('href="javascript');
    expect(rendered).not.toContain('href="http:');
    // The words stay, as text.
    expect(rendered).toContain('click');
    expect(rendered).toContain('&lt;script>');
  });

  it('gives a field’s help inline, without a paragraph around it', () => {
    expect(html(inlineMarkdownTree('`require` (the default) encrypts'))).toBe(
      '<code>require</code> (the default) encrypts',
    );
  });
});
