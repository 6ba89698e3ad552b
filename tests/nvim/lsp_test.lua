-- Neovim's own LSP client against `rbk lsp` (run by tests/lsp_nvim_test.sh, headless):
-- what an author does in the editor, through the functions their key maps call.
-- Environment: RBK (the binary), RBK_EDITORS (editors/nvim), WORKSPACE (a copy of runbooks/).
local rbk, ws = vim.env.RBK, vim.env.WORKSPACE
vim.opt.runtimepath:append(vim.env.RBK_EDITORS)
vim.cmd('filetype on')
require('rbk').setup({ cmd = { rbk, 'lsp' } })

local failures, checks = {}, 0
local function check(ok, what)
  checks = checks + 1
  if not ok then
    table.insert(failures, what)
    io.stderr:write('FAIL: ' .. what .. '\n')
  end
end
local function wait(ms, cond)
  return vim.wait(ms, cond, 20)
end

-- Every publishDiagnostics, counted, on top of the default handler.
local published = 0
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(...)
  published = published + 1
  return default_publish(...)
end

local function line_of(buf, pattern)
  for i, l in ipairs(vim.api.nvim_buf_get_lines(buf, 0, -1, false)) do
    if l:find(pattern, 1, true) then
      return i - 1, l
    end
  end
  error('no line with ' .. pattern)
end
local function text(buf)
  return table.concat(vim.api.nvim_buf_get_lines(buf, 0, -1, false), '\n')
end
local function errors(buf)
  return vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR })
end

local function run()
  vim.cmd('edit ' .. ws .. '/device_offline.rbk')
  local buf = vim.api.nvim_get_current_buf()
  check(vim.bo[buf].filetype == 'rbk', 'the .rbk file has the rbk filetype')
  check(wait(10000, function() return published > 0 end), 'diagnostics are published on open')
  check(#vim.diagnostic.get(buf) == 0, 'device_offline.rbk has no problems')
  local original = text(buf)

  -- Errors as you type: an edit of one name (the client sends it incrementally).
  local row, l = line_of(buf, 'when age > 30m -> check_broker')
  local col = l:find('check_broker', 1, true) - 1
  vim.api.nvim_buf_set_text(buf, row, col, row, col + #'check_broker', { 'chek_broker' })
  check(wait(10000, function() return #errors(buf) > 0 end), 'a misspelt node is an error as it is typed')
  local d = errors(buf)[1]
  check(d and d.lnum == row and d.col == col, 'the error is at the misspelt name')
  check(d and d.message:find("did you mean 'check_broker'", 1, true), 'the error hints the right name')
  vim.api.nvim_buf_set_text(buf, row, col, row, col + #'chek_broker', { 'check_broker' })
  check(wait(10000, function() return #errors(buf) == 0 end), 'the error goes when the name is fixed')

  -- Hover: the probe's signature, effect and doc.
  row, l = line_of(buf, 'fleet.last_seen_age(device)')
  col = l:find('last_seen_age', 1, true)
  vim.api.nvim_win_set_cursor(0, { row + 1, col })
  local params = vim.lsp.util.make_position_params()
  local hover = vim.lsp.buf_request_sync(buf, 'textDocument/hover', params, 5000)
  local value = ''
  for _, r in pairs(hover or {}) do
    if r.result then value = r.result.contents.value end
  end
  check(value:find('probe fleet.last_seen_age(device: string) -> duration', 1, true), 'hover shows the signature')
  check(value:find('How long ago the device last published', 1, true), 'hover shows the doc comment')
  vim.lsp.buf.hover()
  check(wait(5000, function()
    for _, w in ipairs(vim.api.nvim_list_wins()) do
      if vim.api.nvim_win_get_config(w).relative ~= '' then return true end
    end
  end), 'K opens the hover window')
  for _, w in ipairs(vim.api.nvim_list_wins()) do
    if vim.api.nvim_win_get_config(w).relative ~= '' then vim.api.nvim_win_close(w, true) end
  end

  -- Jumps: to the node an edge names, and into the stdlib module declaring a probe.
  row, l = line_of(buf, 'when age > 30m -> check_broker')
  vim.api.nvim_win_set_cursor(0, { row + 1, (l:find('check_broker', 1, true)) })
  local target = line_of(buf, 'decide check_broker')
  vim.lsp.buf.definition()
  check(wait(5000, function() return vim.api.nvim_win_get_cursor(0)[1] == target + 1 end),
    'go to definition of an edge target lands on the node')
  row, l = line_of(buf, 'fleet.last_seen_age(device)')
  vim.api.nvim_win_set_cursor(0, { row + 1, (l:find('last_seen_age', 1, true)) })
  vim.lsp.buf.definition()
  check(wait(5000, function() return vim.api.nvim_buf_get_name(0):find('fleet.rbk$') ~= nil end),
    'go to definition of a probe opens its module')
  check(vim.api.nvim_get_current_line():find('probe last_seen_age', 1, true), 'the cursor is on the declaration')
  vim.cmd('buffer ' .. buf)

  -- Completion after `->` and after a module's name.
  row = line_of(buf, 'let age = fleet.last_seen_age(device)')
  vim.api.nvim_buf_set_lines(buf, row + 1, row + 1, false, { '    let z = fleet.' })
  local result = vim.lsp.buf_request_sync(buf, 'textDocument/completion',
    { textDocument = { uri = vim.uri_from_bufnr(buf) }, position = { line = row + 1, character = 18 } }, 5000)
  local labels = {}
  for _, r in pairs(result or {}) do
    for _, item in ipairs((r.result or {}).items or {}) do labels[item.label] = true end
  end
  check(labels['last_seen_age'] and labels['connected'], 'completion after fleet. offers its probes')
  vim.api.nvim_buf_set_lines(buf, row + 1, row + 2, false, {})

  -- Formatting: a line out of the canonical layout comes back.
  row, l = line_of(buf, 'start -> check_last_seen')
  vim.api.nvim_buf_set_lines(buf, row, row + 1, false, { 'start->check_last_seen' })
  vim.lsp.buf.formatting_sync(nil, 5000)
  check(text(buf) == original, 'formatting restores the canonical layout')

  -- Rename a node: its definition and every edge to it (prepareRename, then rename).
  row, l = line_of(buf, 'wait flap ')
  vim.api.nvim_win_set_cursor(0, { row + 1, (l:find('flap', 1, true)) })
  local pos = vim.lsp.util.make_position_params()
  local prep = vim.lsp.buf_request_sync(buf, 'textDocument/prepareRename', pos, 5000)
  local placeholder
  for _, r in pairs(prep or {}) do
    if r.result then placeholder = r.result.placeholder end
  end
  check(placeholder == 'flap', 'prepareRename offers the node name')
  local before = published
  vim.lsp.buf.rename('flap_watch')
  check(wait(5000, function() return text(buf):find('-> flap_watch', 1, true) ~= nil end), 'rename changes the edges')
  check(not text(buf):find('-> flap ', 1, true) and text(buf):find('wait flap_watch', 1, true),
    'rename leaves no old name behind')
  check(wait(10000, function() return published > before and #errors(buf) == 0 end),
    'the renamed runbook still checks')

  -- Code lenses: a dry-run and the diagram of each runbook; the diagram is drawn.
  vim.lsp.codelens.refresh()
  check(wait(5000, function() return #vim.lsp.codelens.get(buf) >= 2 end), 'code lenses are shown')
  local lenses = vim.lsp.codelens.get(buf)
  local titles = {}
  for _, lens in ipairs(lenses) do titles[lens.command.title] = lens end
  check(titles['▶ dry-run'] and titles['show diagram'], 'the lenses are dry-run and show diagram')
  if titles['show diagram'] then
    local client = vim.lsp.get_active_clients()[1]
    vim.lsp.commands['rbk.showDiagram'](titles['show diagram'].command, { client_id = client.id, bufnr = buf })
    local rbkmod = require('rbk')
    check(wait(5000, function() return rbkmod.last_diagram ~= nil end), 'show diagram answers with a file')
    local f = rbkmod.last_diagram and io.open(rbkmod.last_diagram)
    check(f and f:read('*a'):find('<svg', 1, true), 'the diagram is an SVG')
  end
end

local ok, err = pcall(run)
if not ok then
  table.insert(failures, 'error: ' .. tostring(err))
  io.stderr:write('ERROR: ' .. tostring(err) .. '\n')
end
io.stderr:write(string.format('nvim lsp test: %d checks, %d failed\n', checks, #failures))
vim.cmd(#failures == 0 and 'qa!' or 'cquit 1')
