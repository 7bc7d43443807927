// Command smartmigrate-vet runs smartmigrate's ctxcheck analyzer under go
// vet: it reports functions that block without taking a context.Context.
//
//	go install github.com/smartmigrate/smartmigrate/cmd/smartmigrate-vet@latest
//	go vet -vettool=$(which smartmigrate-vet) ./...
//	go vet -vettool=$(which smartmigrate-vet) -fix ./...  # apply the suggested fixes
//
// go vet exits non-zero when there is a finding. smartmigrate check runs the
// same analyzer and can keep only the findings in code changed since a git
// ref.
package main

import (
	"github.com/smartmigrate/smartmigrate/rewrite/ctxcheck"
	"golang.org/x/tools/go/analysis/unitchecker"
)

func main() { unitchecker.Main(ctxcheck.Analyzer) }
