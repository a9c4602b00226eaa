// Compile typescript/index.ts (ManifestObject) into its Python binding, imports/manifest, the way
// `cdk8s import` compiles CRD bindings: jsii-srcmak against the cdk8s and constructs packages.
//   node scripts/manifest_object.cjs   (run by scripts/imports.sh, i.e. `make imports`)
const path = require('path');
const root = path.resolve(__dirname, '..');
const fromCli = require('module').createRequire(require.resolve('cdk8s-cli/package.json', { paths: [root] }));
const srcmak = fromCli('jsii-srcmak');
const deps = ['@types/node', 'constructs', 'cdk8s'].map((dep) => path.dirname(fromCli.resolve(`${dep}/package.json`)));

srcmak
  .srcmak(path.join(root, 'typescript'), {
    entrypoint: 'index.ts',
    moduleKey: 'ros-constructs-manifest',
    deps,
    python: { outdir: path.join(root, 'imports'), moduleName: 'manifest' },
  })
  .catch((err) => {
    console.error(err);
    process.exit(1);
  });
