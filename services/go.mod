module github.com/warmstart/warmstart/services

go 1.26
