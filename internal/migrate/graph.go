package migrate

import (
	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// GraphOf returns the units to migrate as the strategies see them.
func GraphOf(r *analysis.Result) strategies.Graph {
	called := map[string]bool{}
	for _, u := range r.Units {
		for _, c := range u.Callees {
			called[c] = true
		}
	}
	g := strategies.Graph{Units: make([]strategies.Unit, 0, len(r.Units))}
	for _, u := range r.Units {
		g.Units = append(g.Units, strategies.Unit{
			ID:        u.ID,
			Funcs:     u.Funcs,
			Package:   u.Package,
			Kind:      strategies.Kind(u.Kind),
			Exported:  u.Exported,
			Root:      !called[u.ID],
			Callees:   u.Callees,
			Sink:      u.Via,
			SinkCalls: u.SinkCalls,
			Callers:   u.Callers,
			Risks:     u.Risks,
		})
	}
	return g
}
