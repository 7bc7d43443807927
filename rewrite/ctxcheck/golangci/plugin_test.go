package golangci_test

import (
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"github.com/smartmigrate/smartmigrate/rewrite/ctxcheck"
	_ "github.com/smartmigrate/smartmigrate/rewrite/ctxcheck/golangci"
)

// TestRegistered: importing the package registers "ctxcheck", whose
// linter is the ctxcheck analyzer with types; settings are refused.
func TestRegistered(t *testing.T) {
	newPlugin, err := register.GetPlugin("ctxcheck")
	if err != nil {
		t.Fatal(err)
	}
	for _, settings := range []any{nil, map[string]any{}} {
		p, err := newPlugin(settings)
		if err != nil {
			t.Fatalf("settings %v: %v", settings, err)
		}
		as, err := p.BuildAnalyzers()
		if err != nil || len(as) != 1 || as[0] != ctxcheck.Analyzer {
			t.Errorf("analyzers %v, %v; want ctxcheck's", as, err)
		}
		if p.GetLoadMode() != register.LoadModeTypesInfo {
			t.Errorf("load mode %s", p.GetLoadMode())
		}
	}
	if _, err := newPlugin(map[string]any{"strict": true}); err == nil {
		t.Error("a setting was accepted")
	}
}
