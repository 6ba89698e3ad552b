vim.filetype.add({ extension = { rbk = 'rbk' } })
