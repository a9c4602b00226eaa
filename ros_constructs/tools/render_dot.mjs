// Renders the Graphviz DOT graph on stdin as SVG on stdout with @viz-js/viz (Graphviz compiled
// to WebAssembly: no browser, no system binary, no network). The package is looked up next to
// this script first (a source checkout), then from the working directory (a project that ran
// `npm ci`). Exit 3: the package is missing; exit 1: Graphviz refused the graph.
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

async function loadViz() {
  try {
    return await import("@viz-js/viz");
  } catch {
    try {
      return createRequire(pathToFileURL(`${process.cwd()}/`).href)("@viz-js/viz");
    } catch {
      process.stderr.write("the npm package @viz-js/viz is not installed (run `npm ci` in the project)\n");
      process.exit(3);
    }
  }
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const viz = await (await loadViz()).instance();
const result = viz.render(Buffer.concat(chunks).toString("utf8"), { format: "svg", engine: "dot" });
if (result.status !== "success") {
  process.stderr.write(result.errors.map((e) => e.message).join("\n") + "\n");
  process.exit(1);
}
process.stdout.write(result.output);
