// Package golangci registers the ctxcheck analyzer as a golangci-lint
// module plugin named "ctxcheck".
//
// golangci-lint custom builds a golangci-lint with it from a
// .custom-gcl.yml such as custom-gcl.yml in this folder:
//
//	version: v2.15.0
//	plugins:
//	  - module: github.com/smartmigrate/smartmigrate
//	    import: github.com/smartmigrate/smartmigrate/rewrite/ctxcheck/golangci
//	    version: latest
//
// and a .golangci.yml such as golangci.yml here enables it:
//
//	version: "2"
//	linters:
//	  enable:
//	    - ctxcheck
//	  settings:
//	    custom:
//	      ctxcheck:
//	        type: module
//
// The plugin takes no settings.
package golangci

import (
	"fmt"

	"github.com/golangci/plugin-module-register/register"
	"github.com/smartmigrate/smartmigrate/rewrite/ctxcheck"
	"golang.org/x/tools/go/analysis"
)

func init() { register.Plugin(ctxcheck.Analyzer.Name, New) }

// New is the plugin's constructor, which golangci-lint calls with the
// linter's settings from .golangci.yml.
func New(settings any) (register.LinterPlugin, error) {
	if m, ok := settings.(map[string]any); settings != nil && (!ok || len(m) > 0) {
		return nil, fmt.Errorf("ctxcheck takes no settings, got %v", settings)
	}
	return plugin{}, nil
}

// plugin is the ctxcheck linter.
type plugin struct{}

// BuildAnalyzers returns the ctxcheck analyzer.
func (plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{ctxcheck.Analyzer}, nil
}

// GetLoadMode says that ctxcheck needs types and syntax: it reads the
// bodies and the types of the calls.
func (plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
