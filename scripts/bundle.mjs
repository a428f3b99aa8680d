// Bundles the command line (dist/src/cli/main.js, every command of oclif.manifest.json, oclif,
// grpc-js, ...) into dist/kctl.cjs, which bin/run.js loads through a V8 code cache
// (src/cli/launch.ts). Run by scripts/build.sh after tsc and the manifest.
//
// Every command is a lazy import: running one evaluates only the modules it imports (`kctl ps` no
// image or VM code). import.meta.url keeps meaning the URL of the module's own file in dist/, so
// paths relative to it (bin/kctld.js, native/out/...) stay right.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(fileURLToPath(new URL('..', import.meta.url)));
const outfile = path.join(root, 'dist', 'kctl.cjs');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'oclif.manifest.json'), 'utf8'));

const loaders = Object.entries(manifest.commands)
  .map(([id, c]) => `  ${JSON.stringify(id)}: () => import(${JSON.stringify('./' + c.relativePath.join('/'))}),`)
  .join('\n');
const entry = `import { main } from './dist/src/cli/main.js';
export function run(argv, root) {
  return main(argv, root, {
${loaders}
  });
}
`;

/** `import.meta.url` of dist/src/x.js -> that file's URL, from the bundle's own location. */
const importMetaUrl = {
  name: 'import-meta-url',
  setup(b) {
    b.onLoad({ filter: /[\\/]dist[\\/]src[\\/].*\.js$/ }, async (args) => {
      let contents = await fs.promises.readFile(args.path, 'utf8');
      if (contents.includes('import.meta.url')) {
        const rel = path.relative(path.dirname(outfile), args.path).split(path.sep).join('/');
        contents = contents.replaceAll('import.meta.url', `__kctlModuleUrl(${JSON.stringify(rel)})`);
      }
      return { contents, loader: 'js' };
    });
  },
};

const result = await build({
  stdin: { contents: entry, resolveDir: root, sourcefile: 'kctl-entry.js', loader: 'js' },
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  outfile,
  write: false,
  logLevel: 'warning',
  // protobufjs finds Buffer through `require` in a direct eval (the bundle's own require, see launch.ts).
  logOverride: { 'direct-eval': 'silent' },
  banner: {
    js: "const __kctlModuleUrl = (rel) => new (require('node:url').URL)(rel, require('node:url').pathToFileURL(__filename)).href;",
  },
  // oclif's TypeScript support (development only), and inquirer with its large dependencies (only
  // `rm` without --force and `login` prompt): left to be required from node_modules when used.
  external: ['typescript', 'ts-node', 'inquirer'],
  plugins: [importMetaUrl],
});
let text = result.outputFiles[0].text;
// import() stays only for what is not bundled (inquirer, oclif's plugins and hooks, node:fs). A script
// run from a V8 code cache cannot import() itself, so it calls the import() of launch.ts, passed in as
// __kctlImport (the string "import()" of an error message is not a call and stays).
text = text.replace(/(?<![\w$."'`])import\(/g, '__kctlImport(');
// ASCII only, so that bin/run.js can read it as latin1: the few characters esbuild leaves as they
// are (in regular expressions) become \uXXXX escapes, which mean the same there and in strings.
const code = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
// The first line names the content, so that a code cache is never used with another bundle.
const hash = createHash('sha256').update(code).digest('hex').slice(0, 32);
fs.writeFileSync(outfile, `// kctl bundle ${hash}\n${code}`);
