package strategies

import (
	"testing"
)

// TestOffload marks the top-down units that call a unit of a later phase,
// and refuses other strategies.
func TestOffload(t *testing.T) {
	g := Graph{Units: []Unit{u("A", "B"), u("B", "C"), u("C"), u("D")}}
	node(g.Units[0]).Exported = true
	p, err := TopDown{}.Plan(g, Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err = Offload(p)
	if err != nil {
		t.Fatal(err)
	}
	offloaded := p.Offloaded
	if !offloaded["A"] || !offloaded["B"] || offloaded["C"] || offloaded["D"] || len(p.Notes) != 2 {
		t.Errorf("offloaded %v, notes %q", offloaded, p.Notes)
	}
	bu, _ := BottomUp{}.Plan(g, Options{})
	if _, err := Offload(bu); err == nil {
		t.Error("Offload accepts a bottom-up plan")
	}
}
