-- Neovim's colours for .rbk (editors/nvim/syntax/rbk.vim) against the TextMate grammar's
-- (tests/highlight/sample.tokens, from editors/vscode): every token the TextMate grammar
-- gives a colour must get the matching Vim syntax item. Run by tests/lsp_nvim_test.sh.
vim.opt.runtimepath:append(vim.env.RBK_EDITORS)
vim.cmd('filetype on')
vim.cmd('syntax on')

-- TextMate scope (its first words) -> the Vim syntax item.
local expected_item = {
  { 'comment.', 'rbkComment' },
  { 'constant.character.escape', 'rbkEscape' },
  { 'punctuation.section.interpolation', 'rbkInterpolationDelim' },
  { 'string.', 'rbkString' },
  { 'keyword.control', 'rbkKeyword' },
  { 'keyword.other', 'rbkKeyword' },
  { 'keyword.operator.logical', 'rbkKeyword' },
  { 'storage.', 'rbkKeyword' },
  { 'entity.name.tag.node', 'rbkNode' },
  { 'entity.name.type.runbook', 'rbkRunbook' },
  { 'entity.name.namespace', 'rbkNamespace' },
  { 'entity.name.function', 'rbkFunction' },
  { 'variable.other.constant', 'rbkConfig' },
  { 'support.type', 'rbkType' },
  { 'constant.numeric', 'rbkNumber' },
  { 'constant.language', 'rbkConstant' },
}

local failures, checked = 0, 0
local sample = vim.env.RBK_SOURCE .. '/tests/highlight/sample.rbk'
vim.cmd('edit ' .. sample)
if vim.bo.filetype ~= 'rbk' then
  io.stderr:write('FAIL: the sample does not have the rbk filetype\n')
  vim.cmd('cquit 1')
end
for line in io.lines(vim.env.RBK_SOURCE .. '/tests/highlight/sample.tokens') do
  local l, c, text, scope = line:match('^(%d+):(%d+)\t(.-)\t(.+)$')
  local want
  for _, pair in ipairs(expected_item) do
    if scope:sub(1, #pair[1]) == pair[1] then want = pair[2]; break end
  end
  if want then
    checked = checked + 1
    local got = vim.fn.synIDattr(vim.fn.synID(tonumber(l), tonumber(c), 0), 'name')
    if got ~= want then
      failures = failures + 1
      io.stderr:write(string.format('FAIL: %s:%s %s is %s in Vim, %s in TextMate (expected %s)\n', l, c, text, got, scope, want))
    end
  end
end
io.stderr:write(string.format('nvim highlight test: %d tokens compared, %d differ\n', checked, failures))
vim.cmd(failures == 0 and checked > 100 and 'qa!' or 'cquit 1')
