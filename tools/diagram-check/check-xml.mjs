// Checks that each file is well-formed XML (an XML parser's reading, not a pattern):
// prints one JSON line per file, {"file", "root"} or {"file", "error"}.
import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';

const { DOMParser } = new JSDOM('').window;
for (const file of process.argv.slice(2)) {
  const doc = new DOMParser().parseFromString(readFileSync(file, 'utf8'), 'application/xml');
  const failure = doc.getElementsByTagName('parsererror')[0];
  console.log(JSON.stringify(failure ? { file, error: failure.textContent.trim() } : { file, root: doc.documentElement.tagName }));
}
