/// <reference lib="dom" />
import type { Page } from 'playwright-core';

/**
 * The check, as plain JavaScript text run in the page: a function of this file would be compiled
 * by tsx, whose helpers (`__name`) do not exist in the page.
 */
const SCRIPT = `(() => {
    const problems = [];
    const describe = (el) => {
      const id = el.id ? \`#\${el.id}\` : '';
      const cls = typeof el.className === 'string' && el.className ? \`.\${el.className.trim().split(/\\s+/).join('.')}\` : '';
      const text = (el.textContent ?? '').trim().replace(/\\s+/g, ' ').slice(0, 40);
      return \`<\${el.tagName.toLowerCase()}\${id}\${cls}> "\${text}"\`;
    };
    const viewport = document.documentElement.clientWidth;
    if (document.documentElement.scrollWidth > viewport) problems.push(\`the page is \${document.documentElement.scrollWidth}px wide in a \${viewport}px window\`);
    const CONTROLS = new Set(['INPUT', 'SELECT', 'TEXTAREA', 'OPTION']);
    for (const el of Array.from(document.body.querySelectorAll('*'))) {
      const style = getComputedStyle(el);
      if (style.display === 'none' || style.visibility === 'hidden' || style.display === 'contents') continue;
      if (el.closest('select, textarea')) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue;
      const free = style.position === 'fixed' || (el.tagName === 'DIALOG' && el.open);
      const parent = el.parentElement;
      const outer = free || !parent || parent === document.body ? ({ left: 0, right: viewport }) : parent.getBoundingClientRect();
      if (box.right > outer.right + 1 || box.left < outer.left - 1) {
        problems.push(\`\${describe(el)} sticks out of \${free || !parent || parent === document.body ? 'the window' : describe(parent)} (\${Math.round(box.left)}..\${Math.round(box.right)} in \${Math.round(outer.left)}..\${Math.round(outer.right)})\`);
      }
      const scrolls = style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden';
      if (!CONTROLS.has(el.tagName) && !scrolls && style.display !== 'inline' && el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        problems.push(\`\${describe(el)}: content \${el.scrollWidth}px wide in \${el.clientWidth}px\`);
      }
    }
    for (const cell of Array.from(document.querySelectorAll('td, th'))) {
      if (getComputedStyle(cell).display === 'none') continue;
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of text.matchAll(/\\S+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set(Array.from(range.getClientRects()).filter((r) => r.width > 0).map((r) => Math.round(r.top)));
          if (lines.size > 1) problems.push(\`the word "\${match[0]}" of \${describe(cell)} is cut over \${lines.size} lines\`);
        }
      }
    }
    return problems;
})()`;

/**
 * What is wrong with the layout of the page as Chromium laid it out, in words (empty: nothing):
 * - the page is wider than the window (a horizontal scroll bar);
 * - an element sticks out of its parent's box on the left or the right (fixed and sticky ones,
 *   and the top layer's modal dialog, are measured against the window instead);
 * - an element's content is wider than the element while it does not scroll (text that runs out);
 * - a word of a table cell is cut over two lines ("Deactivate|d", "admi|n"): each word's range has
 *   line boxes on more than one line.
 * Form controls scroll their own content and are not measured inside.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(SCRIPT) as Promise<string[]>;
}
