import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';

/**
 * The layering of src/, held against the list in README.md ("### Layers"): every import between
 * two folders runs down that list, and no files import each other in a loop. Type-only imports
 * count too: they tie the code together just the same.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SRC = path.join(ROOT, 'src');

/** The folders of src/ (and `index` for src/index.ts), bottom first, as README lists them. */
export function layersFromReadme(readme: string): string[] {
  const section = readme.split('\n### Layers')[1]?.split('\n## ')[0] ?? '';
  return [...section.matchAll(/^\d+\. `src\/([\w-]+)(?:\/|\.ts)`/gm)].map((m) => m[1]);
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The files of src/ that `file` imports (relative imports, static or `import()`/`require()`). */
export function importsOf(file: string, source: string): string[] {
  const specs = [
    ...source.matchAll(/^\s*(?:import|export)\b[^'";]*?\bfrom\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...source.matchAll(/^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm),
    ...source.matchAll(/\b(?:import|require)\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g),
  ].map((m) => m[1]);
  return specs.map((spec) => resolveImport(path.resolve(path.dirname(file), spec))).filter((f): f is string => f !== undefined);
}

function resolveImport(base: string): string | undefined {
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `logging` for src/logging/logger.ts, `index` for src/index.ts. */
const layerOf = (file: string) => path.relative(SRC, file).split(path.sep)[0].replace(/\.ts$/, '');
const shown = (file: string) => path.relative(ROOT, file);

/** Every loop of imports, each as the files along it (Tarjan's strongly connected components). */
export function importCycles(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to);
        low.set(node, Math.min(low.get(node)!, low.get(to)!));
      } else if (onStack.has(to)) low.set(node, Math.min(low.get(node)!, index.get(to)!));
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component.sort());
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return cycles;
}

describe('the layers of src/ (README.md, "Layers")', function () {
  const layers = layersFromReadme(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  const files = sourceFiles(SRC);
  const graph = new Map(files.map((file) => [file, importsOf(file, fs.readFileSync(file, 'utf8'))]));

  it('README lists every folder of src/ once', function () {
    const present = [...new Set(files.map(layerOf))].sort();
    expect([...layers].sort()).to.deep.equal(present);
  });

  it('no import runs up the layers', function () {
    const upward: string[] = [];
    for (const [file, imports] of graph) {
      for (const target of imports) {
        if (layers.indexOf(layerOf(target)) > layers.indexOf(layerOf(file))) upward.push(`${shown(file)} -> ${shown(target)}`);
      }
    }
    expect(upward, 'imports from a lower layer to a higher one').to.deep.equal([]);
  });

  it('no files import each other in a loop', function () {
    const cycles = importCycles(graph).map((cycle) => cycle.map(shown).join(' <-> '));
    expect(cycles).to.deep.equal([]);
  });

  it('no file of src/, test/helpers/ or bench/ is over 300 lines', function () {
    const long = ['src', 'test/helpers', 'bench'].flatMap((dir) => listed(path.join(ROOT, dir)))
      .map((file) => ({ file: shown(file), lines: fs.readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > 300);
    expect(long).to.deep.equal([]);
  });

  describe('the checks themselves', function () {
    it('find an upward import, a cycle and a type-only import', function () {
      const a = path.join(SRC, 'logging', 'a.ts');
      expect(importsOf(a, "import type { X } from '../guard/guard';\nimport './side-effect';\nconst y = require('../store/store');")).to.have.length.greaterThan(0);
      const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
      expect(importCycles(graph)).to.deep.equal([['a', 'b', 'c']]);
      expect(importCycles(new Map([['a', ['b']], ['b', []]]))).to.deep.equal([]);
    });

    it('read the layer list from README', function () {
      expect(layersFromReadme('x\n### Layers\n\n1. `src/logging/`: a\n2. `src/index.ts`: b\n\n## Next\n3. `src/no/`')).to.deep.equal(['logging', 'index']);
    });
  });
});

/** The source files under `dir` (TypeScript and JavaScript; what git ignores is not there). */
function listed(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.name === 'node_modules' || entry.name === 'results') return [];
    if (entry.isDirectory()) return listed(full);
    return /\.(ts|js|mjs)$/.test(entry.name) ? [full] : [];
  });
}
