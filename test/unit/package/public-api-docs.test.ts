/**
 * The public API is documented: every export of src/index.ts (what `import … from 'tokenstorm'`
 * gives, and what dist/types/index.d.ts declares) has TSDoc where it is defined, and every function
 * and class also an `@example`. Read with the TypeScript compiler, the same way an editor shows it.
 */
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '../../..');
const entry = join(root, 'src/index.ts');

interface ExportDoc {
  name: string;
  kind: 'function' | 'class' | 'other';
  hasDoc: boolean;
  hasExample: boolean;
}

function publicExports(): ExportDoc[] {
  const program = ts.createProgram([entry], {
    allowImportingTsExtensions: true,
    noEmit: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    types: [],
  });
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
  return checker.getExportsOfModule(moduleSymbol).map((exp) => {
    const sym = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const kind = sym.flags & ts.SymbolFlags.Function ? 'function' : sym.flags & ts.SymbolFlags.Class ? 'class' : 'other';
    return {
      name: exp.name,
      kind,
      hasDoc: ts.displayPartsToString(sym.getDocumentationComment(checker)).trim() !== '',
      hasExample: sym.getJsDocTags(checker).some((t) => t.name === 'example' && ts.displayPartsToString(t.text).trim() !== ''),
    };
  });
}

describe('public API documentation', () => {
  const exports = publicExports();

  it('finds the exports (sanity: the walk sees runPlan, defineScenario and the report types)', () => {
    const names = exports.map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['runPlan', 'defineScenario', 'loadScenario', 'compareReports', 'Report', 'RunOptions']));
  });

  it('every export has TSDoc', () => {
    expect(exports.filter((e) => !e.hasDoc).map((e) => e.name)).toEqual([]);
  });

  it('every exported function and class has an @example', () => {
    expect(exports.filter((e) => e.kind !== 'other' && !e.hasExample).map((e) => e.name)).toEqual([]);
  });
});
