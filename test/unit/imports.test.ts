// No import cycles among the project's own modules, type-only imports included: each layer (domain, workflows,
// activities, read model, API) is read from its own file down, never round in a circle.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const folders = ['domain', 'workflows', 'activities', 'read-model', 'api', 'services', 'db', 'config', 'lib', 'worker', 'scripts', 'bench'];

function sources(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' || name === 'migrations' ? [] : sources(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function resolveImport(from: string, spec: string): string | undefined {
  if (!spec.startsWith('.')) return undefined;
  const base = resolve(dirname(from), spec);
  return [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
}

/** Every import and re-export of every file, as edges between the project's files. */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of folders.flatMap((f) => sources(join(root, f)))) {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
    edges.set(file, info.importedFiles.map((i) => resolveImport(file, i.fileName)).filter((f): f is string => !!f));
  }
  return edges;
}

function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'visiting');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'visiting') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('module structure', () => {
  it('has no import cycles, type imports included', () => {
    const edges = graph();
    expect(edges.size).toBeGreaterThan(40);
    const names = cycles(edges).map((c) => c.map((f) => relative(root, f)).join(' → '));
    expect(names).toEqual([]);
  });

  it('keeps the petition workflow a thin shell over domain/machine.ts (under 300 lines, no function over 80)', () => {
    const text = readFileSync(join(root, 'workflows', 'petition.ts'), 'utf8');
    expect(text.split('\n').length).toBeLessThan(300);
    const src = ts.createSourceFile('petition.ts', text, ts.ScriptTarget.ES2022, true);
    const long: string[] = [];
    const walk = (node: ts.Node) => {
      if (ts.isFunctionLike(node) && 'body' in node && node.body) {
        const lines = src.getLineAndCharacterOfPosition(node.end).line - src.getLineAndCharacterOfPosition(node.getStart()).line + 1;
        const name = (node as ts.FunctionDeclaration).name?.getText() ?? '(anonymous)';
        if (lines > 80) long.push(`${name}: ${lines} lines`);
      }
      ts.forEachChild(node, walk);
    };
    walk(src);
    expect(long).toEqual([]);
  });
});
