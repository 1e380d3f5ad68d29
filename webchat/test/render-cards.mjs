// Render answer cards with the widget's own src/render.ts in jsdom, for the Python tests
// (tests/channels/test_rendering.py), which build the payloads with the real engine.
// Usage: node test/render-cards.mjs cases.json  ->  {"<name>": {"text": ..., "html": ..., "answer_text": ...}} on stdout
// cases.json: [{"name": str, "payload": {..., "answer": {...}}}]
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { JSDOM } from "jsdom";

const here = fileURLToPath(new URL(".", import.meta.url));
const bundle = await build({
  entryPoints: [`${here}../src/render.ts`],
  bundle: true,
  format: "esm",
  write: false,
  logLevel: "error",
});
const dom = new JSDOM("<!doctype html><html><body></body></html>");
globalThis.window = dom.window;
globalThis.document = dom.window.document;
const source = bundle.outputFiles[0].text;
const render = await import(`data:text/javascript;base64,${Buffer.from(source).toString("base64")}`);

const cases = JSON.parse(readFileSync(process.argv[2], "utf8"));
const out = {};
cases.forEach((c, index) => {
  const card = render.answerCard(c.payload, { number: index + 1 });
  if (!card) throw new Error(`no answer in ${c.name}`);
  document.body.append(card);
  out[c.name] = { text: card.textContent, html: card.outerHTML, answer_text: render.answerText(c.payload.answer) };
});
process.stdout.write(JSON.stringify(out));
