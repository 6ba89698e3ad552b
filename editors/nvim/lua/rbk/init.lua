-- rbk in Neovim (0.7 or later): the filetype, `rbk lsp` attached to every .rbk buffer,
-- and the two commands of its code lenses. See docs/editors.md.
--
--   require('rbk').setup({
--     cmd = { 'rbk', 'lsp' },                  -- how to start the server
--     init_options = { policy = 'policy.json', config = 'config.json' },  -- for dry-runs
--   })
local M = {}

local clients = {} -- root directory -> client id

local function root_of(path)
  local dir = vim.fn.fnamemodify(path, ':p:h')
  local found = vim.fn.finddir('.git', dir .. ';')
  if found ~= '' then
    return vim.fn.fnamemodify(found, ':p:h:h')
  end
  return dir
end

function M.attach(buf, opts)
  local root = root_of(vim.api.nvim_buf_get_name(buf))
  local id = clients[root]
  if not id or not vim.lsp.get_client_by_id(id) then
    id = vim.lsp.start_client({
      name = 'rbk',
      cmd = opts.cmd or { 'rbk', 'lsp' },
      root_dir = root,
      init_options = opts.init_options,
    })
    clients[root] = id
  end
  vim.lsp.buf_attach_client(buf, id)
  vim.bo[buf].omnifunc = 'v:lua.vim.lsp.omnifunc'
end

-- rbk.dryRun: asks for each parameter of the runbook, then has the server run
-- `rbk run --dry-run` (its output goes to :LspLog, its end to a message).
local function dry_run(command, ctx)
  local arg = vim.deepcopy(command.arguments[1])
  arg.values = {}
  for _, p in ipairs(arg.params or {}) do
    local value = vim.fn.input(p.name .. ' (' .. p.type .. '): ', p.default or '')
    if value ~= '' then
      arg.values[p.name] = value
    end
  end
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  client.request('workspace/executeCommand', { command = 'rbk.dryRun', arguments = { arg } },
    function(err, result)
      if err then
        vim.notify('rbk: ' .. err.message, vim.log.levels.ERROR)
      else
        vim.notify('rbk: started ' .. result.command)
      end
    end, ctx.bufnr)
end

-- rbk.showDiagram: the server draws the runbook as SVG; open it with the desktop's viewer.
local function show_diagram(command, ctx)
  local client = vim.lsp.get_client_by_id(ctx.client_id)
  client.request('workspace/executeCommand', { command = 'rbk.showDiagram', arguments = command.arguments },
    function(err, result)
      if err then
        vim.notify('rbk: ' .. err.message, vim.log.levels.ERROR)
        return
      end
      M.last_diagram = result.path
      if vim.fn.executable('xdg-open') == 1 and vim.env.DISPLAY then
        vim.fn.jobstart({ 'xdg-open', result.path }, { detach = true })
      else
        vim.notify('rbk: diagram at ' .. result.path)
      end
    end, ctx.bufnr)
end

function M.setup(opts)
  opts = opts or {}
  vim.filetype.add({ extension = { rbk = 'rbk' } })
  local group = vim.api.nvim_create_augroup('rbk', { clear = true })
  -- Neovim 0.7 reads vim.filetype.add only with g:do_filetype_lua set: say it directly too.
  vim.api.nvim_create_autocmd({ 'BufRead', 'BufNewFile' }, {
    group = group,
    pattern = '*.rbk',
    command = 'setfiletype rbk',
  })
  vim.lsp.commands['rbk.dryRun'] = dry_run
  vim.lsp.commands['rbk.showDiagram'] = show_diagram
  vim.api.nvim_create_autocmd('FileType', {
    group = group,
    pattern = 'rbk',
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
end

return M
