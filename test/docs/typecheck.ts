/**
 * Type-checks documentation snippets with the TypeScript compiler API: one program over every snippet, in
 * memory, with `strict` on and `disentangle` (and its subpaths) mapped to the source tree, so a page's example
 * compiles against the code in this commit. Diagnostics are reported at their markdown line.
 */
import { join } from 'node:path';
import ts from 'typescript';
import type { CodeBlock } from './markdown.js';

/** Where snippet `i` lives in the in-memory file system: a folder inside the repository, so node_modules resolve. */
function snippetPath(root: string, block: CodeBlock, i: number): string {
  return join(root, 'tmp', 'doc-snippets', `${block.page.replace(/[/.]/g, '_')}_L${block.line}_${i}.ts`);
}

/** Compiler options a reader's project would use (ESM, strict), plus the mapping of the package to src/. */
export function snippetCompilerOptions(root: string): ts.CompilerOptions {
  const subpaths = ['metrics', 'selection', 'models', 'data', 'estimators', 'viz', 'onnx'];
  const paths: Record<string, string[]> = { disentangle: [join(root, 'src/index.ts')] };
  for (const s of subpaths) paths[`disentangle/${s}`] = [join(root, `src/${s}/index.ts`)];
  // onnxruntime-node is an optional peer dependency the repository does not install; its API is onnxruntime-common's,
  // which onnxruntime-web (a dev dependency) installs and re-exports, so its types stand in for the check.
  paths['onnxruntime-node'] = [join(root, 'node_modules/onnxruntime-common')];
  return {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    // src/ is written for bundler resolution (tsup); a reader's NodeNext project sees the same types through
    // dist/*.d.ts, which test/package.test.ts checks.
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
    types: ['node'],
    skipLibCheck: true,
    noEmit: true,
    esModuleInterop: true,
    resolveJsonModule: true,
    paths,
  };
}

/** Formatted diagnostics ('page:line: message'), empty when every snippet compiles. */
export function typeCheckSnippets(root: string, blocks: readonly CodeBlock[]): string[] {
  const files = new Map<string, CodeBlock>();
  // Appending `export {}` makes every snippet a module (top-level await, no shared globals) without moving lines.
  const sources = new Map<string, string>();
  blocks.forEach((block, i) => {
    const path = snippetPath(root, block, i);
    files.set(path, block);
    sources.set(path, `${block.code}\nexport {};\n`);
  });
  const options = snippetCompilerOptions(root);
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, onError, create) => {
    const text = sources.get(f);
    return text !== undefined ? ts.createSourceFile(f, text, language, true) : getSourceFile.call(host, f, language, onError, create);
  };
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  const diagnostics = ts.getPreEmitDiagnostics(program);
  return diagnostics.map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    const block = files.get(d.file.fileName);
    return block ? `${block.page}:${block.line + line}: ${message}` : `${d.file.fileName}:${line + 1}: ${message}`;
  });
}
