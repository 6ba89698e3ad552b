autocmd BufRead,BufNewFile *.rbk setfiletype rbk
