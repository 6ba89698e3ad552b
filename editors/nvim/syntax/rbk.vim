" rbk runbooks (docs/language.md): the same colours as the TextMate grammar of
" editors/vscode, item for item (tests/nvim/highlight_test.lua compares them).
if exists('b:current_syntax')
  finish
endif

syn keyword rbkKeyword import module probe runbook doc param output start decide wait approve
syn keyword rbkKeyword call foreach end let when else do then on error until within every holds
syn keyword rbkKeyword signal return by approved denied timeout run over as waves wave each
syn keyword rbkKeyword concurrency rate abort after between pause aborted show ask if action config
syn keyword rbkKeyword and or not in
syn keyword rbkConstant true false null

" Names after a keyword are matched with a look-behind: a keyword wins over a match that
" starts where it does, so the match must start at the name.
" A node's name where it is declared and where an edge names it.
syn match rbkNode "\v(<(decide|wait|approve|call|foreach|action|end)\s+)@<=((by|each)>)@!\h\w*>(\s*\()@!"
syn match rbkNode "\v-\>\s*\zs((bool|int|float|string|duration|time|percent|json|list)>)@!\h\w*"
syn match rbkRunbook "\v(<runbook\s+)@<=\h\w*"
syn match rbkNamespace "\v(<module\s+)@<=\h\w*"
syn match rbkConfig "\v(<config\s+)@<=\h\w*\ze\s*:"
syn match rbkConfig "\v(<config\.)@<=\h\w*"
" Calls: module.function( and function(; declared probes and actions.
syn match rbkFunction "\v<\h\w*\ze\s*\("
syn match rbkNamespace "\v<\h\w*\ze\.\h\w*\s*\("
syn match rbkType "\v<(bool|int|float|string|duration|time|percent|json|list)>(\s*[.(])@!"
syn match rbkConstant "\v(<as\s+)@<=(resolved|mitigated|escalated|failed)>"

syn match rbkNumber "\v<\d+(\.\d+)?\%?"
syn match rbkNumber "\v<\d+(ms|s|m|h|d)(\d+(ms|s|m|h|d))*>"

syn match rbkEscape contained "\v\\([\"\\ntr{}]|u\{\x+\})"
syn region rbkInterpolation contained matchgroup=rbkInterpolationDelim start=/{/ end=/}/ contains=TOP
syn region rbkString start=/"/ skip=/\\\\\|\\"/ end=/"/ contains=rbkEscape,rbkInterpolation
syn region rbkString start=/"""/ end=/"""/ contains=rbkEscape,rbkInterpolation
syn region rbkString start=/`/ end=/`/
syn match rbkComment "//.*$" contains=@Spell

hi def link rbkKeyword Keyword
hi def link rbkConstant Constant
hi def link rbkNode Label
hi def link rbkRunbook Structure
hi def link rbkNamespace Identifier
hi def link rbkConfig Identifier
hi def link rbkFunction Function
hi def link rbkType Type
hi def link rbkNumber Number
hi def link rbkEscape SpecialChar
hi def link rbkInterpolationDelim Delimiter
hi def link rbkString String
hi def link rbkComment Comment

let b:current_syntax = 'rbk'
