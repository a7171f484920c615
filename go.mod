module github.com/shadowpath/shadowpath

go 1.26.0
