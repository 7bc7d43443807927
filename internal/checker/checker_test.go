package checker_test

import (
	"testing"

	"github.com/smartmigrate/smartmigrate/internal/checker"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
	"golang.org/x/tools/go/analysis/analysistest"
)

func init() { testenv.LessGC() }

// TestAnalyzer runs ctxcheck over testdata/src: package a holds the sinks
// and the cases that are not reported (ctx taken, handler, ctx form
// present, generated file, io.Reader method, init, test file); package b
// blocks only through a's facts; b/internal/c gets an in-place suggestion.
func TestAnalyzer(t *testing.T) {
	analysistest.Run(t, analysistest.TestData(), checker.Analyzer,
		"example.com/a", "example.com/b", "example.com/b/internal/c")
}
