// Reads Mermaid flowcharts with Mermaid's own parser and prints, per file, one JSON line:
// {"file", "nodes": {id: {"text", "shape"}}, "edges": [{"from", "to", "text", "dashed"}]}
// or {"file", "error"}. rbk's tests compare this reading with the compiled program.
//
// Mermaid keeps entity codes (#quot; #35;) as placeholders until it draws; they are
// decoded here the way the drawing would show them, and <br> becomes a line break.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const dom = new JSDOM('<!doctype html><html><body></body></html>');
globalThis.window = dom.window;
globalThis.document = dom.window.document;
globalThis.DOMParser = dom.window.DOMParser;
globalThis.Element = dom.window.Element;
const { default: mermaid } = await import('mermaid');
mermaid.initialize({ startOnLoad: false });

const named = { quot: '"', amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', apos: "'" };
function decode(text) {
  return (text ?? '')
    .replace(/ﬂ°°(\d+)¶ß/g, (_, n) => String.fromCodePoint(Number(n)))
    .replace(/ﬂ°(\w+)¶ß/g, (whole, name) => named[name] ?? whole)
    .replace(/<br\s*\/?>/g, '\n');
}

for (const file of process.argv.slice(2)) {
  try {
    const diagram = await mermaid.mermaidAPI.getDiagramFromText(readFileSync(file, 'utf8'));
    const nodes = {};
    for (const [id, v] of diagram.db.getVertices()) nodes[id] = { text: decode(v.text), shape: v.type };
    const edges = diagram.db.getEdges().map((e) => ({
      from: e.start, to: e.end, text: decode(e.text), dashed: e.stroke === 'dotted',
    }));
    console.log(JSON.stringify({ file, nodes, edges }));
  } catch (e) {
    console.log(JSON.stringify({ file, error: String(e.message ?? e) }));
  }
}
