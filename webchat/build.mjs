// Build dist/: widget.js (bundled with socket.io-client), widget.css and index.html.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";

mkdirSync("dist", { recursive: true });
await build({
  entryPoints: ["src/widget.ts"],
  bundle: true,
  format: "iife",
  target: ["es2019"],
  minify: true,
  legalComments: "eof",
  outfile: "dist/widget.js",
  logLevel: "info",
});
copyFileSync("src/widget.css", "dist/widget.css");
copyFileSync("src/index.html", "dist/index.html");
