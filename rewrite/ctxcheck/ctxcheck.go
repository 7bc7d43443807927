// Package ctxcheck is smartmigrate's analyzer for drivers of the go/analysis
// ecosystem: it reports functions that block without taking a
// context.Context, and suggests the edit that gives them one.
//
// A function blocks when it calls a sink (a call with a context-aware form:
// http.Get, (*sql.DB).Query, exec.Command, any X with a sibling XContext, a
// context.Background() that is not returned) or a function of its module
// that blocks; blocking crosses packages as facts. Functions that take a
// context, HTTP handlers, functions whose FooContext exists, test and
// generated files, main, init and methods whose signature an outside
// interface fixes are not reported.
//
// A diagnostic has a suggested fix, the edit smartmigrate apply makes:
// for an exported function of an importable package, FooContext is added
// after Foo with Foo's body made context-aware, and Foo becomes its shim;
// for the rest, ctx becomes the first parameter and the calls in the same
// package pass a context (the caller's ctx, r.Context(), t.Context(), else
// context.TODO()). An analyzer sees one package, so a finding has no fix
// where the fix could not compile: an in-place function that other
// packages may call (exported, in an internal package) or that a file the
// build constraints exclude names, and where the rewrite would need a new
// file; smartmigrate apply migrates those with every caller.
//
// The analyzer runs under go vet, multicheckers, gopls, Bazel's nogo and
// golangci-lint (see package ctxcheck/golangci):
//
//	go install github.com/smartmigrate/smartmigrate/cmd/smartmigrate-vet@latest
//	go vet -vettool=$(which smartmigrate-vet) ./...      # report
//	go vet -vettool=$(which smartmigrate-vet) -fix ./... # apply the fixes
//
// The analysis and the rewrite live in the smartmigrate module; this
// package only names them for importers.
package ctxcheck

import (
	"github.com/smartmigrate/smartmigrate/internal/checker"
	"golang.org/x/tools/go/analysis"
)

// Analyzer reports functions that block without taking a context.Context,
// each with a suggested fix. Its name is "ctxcheck".
var Analyzer *analysis.Analyzer = checker.Analyzer
