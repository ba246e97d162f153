// The worker shares the domain modules between workflows (worker/run.ts); a module a workflow imports by value but
// not shared would build on frozen shared objects at load and fail every workflow task. Keep the list complete.
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { sharedWorkflowModules } from '../../worker/run';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The domain modules the workflow bundle loads: value imports only (type imports are erased). */
function domainModulesOfWorkflows(): string[] {
  const seen = new Set<string>();
  const walk = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    for (const st of src.statements) {
      if (!ts.isImportDeclaration(st) && !ts.isExportDeclaration(st)) continue;
      const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (!spec?.startsWith('.')) continue;
      if (ts.isImportDeclaration(st) && st.importClause?.isTypeOnly) continue;
      if (ts.isExportDeclaration(st) && st.isTypeOnly) continue;
      const base = resolve(dirname(file), spec);
      const next = [`${base}.ts`, join(base, 'index.ts')].find(existsSync);
      if (next) walk(next);
    }
  };
  walk(join(root, 'workflows', 'index.ts'));
  return [...seen].filter((f) => f.includes(`${join(root, 'domain')}/`)).map((f) => basename(f, '.ts')).sort();
}

describe('the worker shares what the workflows load', () => {
  it('every domain module the workflows import by value is in sharedWorkflowModules', () => {
    const shared = new Set(sharedWorkflowModules.filter((m) => m.includes('/domain/')).map((m) => basename(m, '.ts')));
    const missing = domainModulesOfWorkflows().filter((m) => !shared.has(m));
    expect(missing).toEqual([]);
  });
});
