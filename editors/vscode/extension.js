// The rbk extension for VS Code: the .rbk language (grammar and editing rules come from
// package.json) and `rbk lsp` as its language server. Everything the server offers comes
// through vscode-languageclient; this file adds only what needs the user: the parameters
// a dry-run asks for (docs/editors.md, "Code lenses and their commands").
const path = require('path');
const vscode = require('vscode');
const { LanguageClient } = require('vscode-languageclient/node');

let client;

function resolveInWorkspace(file) {
  if (!file) return undefined;
  if (path.isAbsolute(file)) return file;
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  return folder ? path.join(folder.uri.fsPath, file) : file;
}

// rbk.dryRun: ask for each parameter (its default offered), then let the server run it.
async function askForValues(arg) {
  const values = {};
  for (const p of arg.params || []) {
    const value = await vscode.window.showInputBox({
      title: `Dry-run of ${arg.runbook}`,
      prompt: `${p.name}: ${p.type}`,
      value: p.default !== undefined ? p.default : '',
      ignoreFocusOut: true,
    });
    if (value === undefined) return undefined; // cancelled
    if (value !== '') values[p.name] = value;
  }
  return Object.assign({}, arg, { values });
}

function activate(context) {
  const settings = vscode.workspace.getConfiguration('rbk');
  const command = settings.get('path') || 'rbk';
  const serverOptions = { command, args: ['lsp'] };
  const clientOptions = {
    documentSelector: [{ scheme: 'file', language: 'rbk' }],
    initializationOptions: {
      policy: resolveInWorkspace(settings.get('policy')),
      config: resolveInWorkspace(settings.get('config')),
    },
    middleware: {
      executeCommand: async (name, args, next) => {
        if (name !== 'rbk.dryRun') return next(name, args);
        const arg = await askForValues(args[0] || {});
        if (!arg) return undefined;
        const started = await next(name, [arg]);
        if (started && started.command) vscode.window.showInformationMessage(`rbk: ${started.command}`);
        return started;
      },
    },
  };
  client = new LanguageClient('rbk', 'rbk', serverOptions, clientOptions);
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
