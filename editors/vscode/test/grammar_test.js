// The TextMate grammar, run by the engine VS Code runs it with (vscode-textmate on
// vscode-oniguruma). Two checks, from tests/highlight_test.sh:
//   node test/grammar_test.js files FILE…      every file ends outside any string or block,
//       and every line that begins with a clause or node keyword has it coloured as one;
//   node test/grammar_test.js golden SAMPLE EXPECTED   the tokens of SAMPLE, one per
//       line with their innermost scope, equal EXPECTED (RBK_UPDATE_GOLDEN=1 rewrites it).
const fs = require('fs');
const path = require('path');
const oniguruma = require('vscode-oniguruma');
const vsctm = require('vscode-textmate');

async function loadGrammar() {
  const wasm = fs.readFileSync(path.join(path.dirname(require.resolve('vscode-oniguruma')), 'onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      if (scope !== 'source.rbk') return null;
      const file = path.join(__dirname, '..', 'syntaxes', 'rbk.tmLanguage.json');
      return vsctm.parseRawGrammar(fs.readFileSync(file, 'utf8'), file);
    },
  });
  return registry.loadGrammar('source.rbk');
}

function* tokenize(grammar, text) {
  let stack = vsctm.INITIAL;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const r = grammar.tokenizeLine(lines[i], stack);
    for (const t of r.tokens) {
      yield { line: i + 1, col: t.startIndex + 1, text: lines[i].slice(t.startIndex, t.endIndex), scopes: t.scopes };
    }
    stack = r.ruleStack;
  }
  yield { end: true, stack };
}

const leading = /^\s*(decide|wait|approve|call|foreach|end|let|when|else|do|then|on error|until|return|param|output|start|timeout|approved|denied|run|over|as|waves|concurrency|rate|abort when|pause|show|ask|by)\b/;

async function checkFiles(grammar, files) {
  let problems = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    let end;
    const firstOfLine = new Map();
    for (const t of tokenize(grammar, text)) {
      if (t.end) { end = t.stack; continue; }
      if (!firstOfLine.has(t.line) && t.text.trim() !== '') firstOfLine.set(t.line, t);
    }
    // Back at the root: only the braces of the file's own blocks are open, and they close.
    if (end.depth !== 1) {
      console.error(`${file}: the file ends inside a string, an interpolation or a block (depth ${end.depth})`);
      problems++;
    }
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      const m = leading.exec(line);
      const t = firstOfLine.get(i + 1);
      if (!m || !t) return;
      const scope = t.scopes[t.scopes.length - 1];
      if (t.scopes.some((s) => s.startsWith('string.') || s.startsWith('comment.'))) return;
      if (!/^(keyword|storage)\./.test(scope)) {
        console.error(`${file}:${i + 1}: '${m[1]}' is coloured as ${scope}, not as a keyword`);
        problems++;
      }
    });
  }
  console.log(`grammar_test: ${files.length} files, ${problems} problems`);
  return problems === 0;
}

function golden(grammar, sample, expected) {
  let out = '';
  for (const t of tokenize(grammar, fs.readFileSync(sample, 'utf8'))) {
    if (t.end || t.text.trim() === '') continue;
    out += `${t.line}:${t.col}\t${JSON.stringify(t.text)}\t${t.scopes[t.scopes.length - 1]}\n`;
  }
  if (process.env.RBK_UPDATE_GOLDEN === '1') {
    fs.writeFileSync(expected, out);
    return true;
  }
  const want = fs.existsSync(expected) ? fs.readFileSync(expected, 'utf8') : '';
  if (want === out) return true;
  const a = want.split('\n'), b = out.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) {
      console.error(`${expected}: first difference at token ${i + 1}:\n  expected ${a[i]}\n  got      ${b[i]}`);
      break;
    }
  console.error('(RBK_UPDATE_GOLDEN=1 rewrites the expected tokens)');
  return false;
}

(async () => {
  const [mode, ...args] = process.argv.slice(2);
  const grammar = await loadGrammar();
  const ok = mode === 'files' ? await checkFiles(grammar, args) : golden(grammar, args[0], args[1]);
  process.exit(ok ? 0 : 1);
})().catch((e) => {
  console.error(e);
  process.exit(2);
});
