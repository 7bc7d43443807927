package strategies

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// u builds an unexported unit that calls callees.
func u(id string, callees ...string) Unit {
	return &Node{ID: id, Funcs: []string{id}, Callees: callees}
}

// in puts unit x in the package pkg.
func in(pkg string, x Unit) Unit {
	x.(*Node).Package = pkg
	return x
}

// exp builds an exported unit that calls callees.
func exp(id string, callees ...string) Unit {
	x := u(id, callees...)
	x.(*Node).Exported = true
	return x
}

// node is u as the *Node it is.
func node(x Unit) *Node { return x.(*Node) }

// shape is a plan as the IDs of each phase.
func shape(p Plan) [][]string {
	out := [][]string{}
	for _, ph := range p.Phases {
		var ids []string
		for _, x := range ph.Units {
			ids = append(ids, x.UnitID())
		}
		out = append(out, ids)
	}
	return out
}

func mustPlan(t testing.TB, name string, g Graph, opts Options) Plan {
	t.Helper()
	s, err := ByName(name)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Plan(g, opts)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if p.Strategy != name {
		t.Errorf("Strategy = %q, want %q", p.Strategy, name)
	}
	checkPlan(t, g, p, opts.MaxUnits)
	return p
}

func TestByName(t *testing.T) {
	for _, name := range Names() {
		s, err := ByName(name)
		if err != nil {
			t.Fatalf("ByName(%q): %v", name, err)
		}
		if s.Name() != name {
			t.Errorf("ByName(%q).Name() = %q", name, s.Name())
		}
	}
	if got := Names(); !slices.Equal(got, []string{"bottom-up", "top-down", "critical-path"}) {
		t.Errorf("Names() = %q", got)
	}
	_, err := ByName("x")
	const want = `unknown strategy "x" (want bottom-up, top-down or critical-path)`
	if err == nil || err.Error() != want {
		t.Errorf("ByName(x) error = %v, want %s", err, want)
	}
}

func TestInvalidInput(t *testing.T) {
	for _, name := range Names() {
		s, _ := ByName(name)
		if _, err := s.Plan(Graph{Units: []Unit{u("a"), u("a")}}, Options{}); err == nil || !strings.Contains(err.Error(), `duplicate unit ID "a"`) {
			t.Errorf("%s: duplicate IDs: err = %v", name, err)
		}
		if _, err := s.Plan(Graph{Units: []Unit{u("")}}, Options{}); err == nil {
			t.Errorf("%s: empty ID: no error", name)
		}
		if _, err := s.Plan(Graph{Units: []Unit{u("a")}}, Options{MaxUnits: -1}); err == nil {
			t.Errorf("%s: negative MaxUnits: no error", name)
		}
	}
}

func TestEmptyGraph(t *testing.T) {
	for _, name := range Names() {
		p := mustPlan(t, name, Graph{}, Options{MaxUnits: 3})
		if p.Phases == nil || len(p.Phases) != 0 {
			t.Errorf("%s: phases = %#v, want empty non-nil", name, p.Phases)
		}
	}
}

type planCase struct {
	name     string
	units    []Unit
	opts     Options
	want     [][]string
	reasons  []string // substrings, one per phase; "" skips
	wantNote string   // substring of some note
}

func runCases(t *testing.T, strategy string, cases []planCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := mustPlan(t, strategy, Graph{Units: tc.units}, tc.opts)
			if got := shape(p); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("phases:\n got %q\nwant %q", got, tc.want)
			}
			for i, r := range tc.reasons {
				if r != "" && !strings.Contains(p.Phases[i].Reason, r) {
					t.Errorf("phase %d reason %q does not contain %q", i+1, p.Phases[i].Reason, r)
				}
			}
			if tc.wantNote != "" && !slices.ContainsFunc(p.Notes, func(n string) bool { return strings.Contains(n, tc.wantNote) }) {
				t.Errorf("notes %q do not contain %q", p.Notes, tc.wantNote)
			}
		})
	}
}

func TestBottomUp(t *testing.T) {
	runCases(t, "bottom-up", []planCase{
		{
			name:    "chain",
			units:   []Unit{u("a", "b"), u("b", "c"), u("c")},
			want:    [][]string{{"c"}, {"b"}, {"a"}},
			reasons: []string{"leaves: reach a blocking operation directly", "callers: call only units migrated in earlier phases", "callers: call only units migrated in earlier phases"},
		},
		{
			name:  "diamond",
			units: []Unit{exp("A", "b", "c"), u("b", "d"), u("c", "d"), u("d")},
			want:  [][]string{{"d"}, {"b", "c"}, {"A"}},
		},
		{
			name:  "uneven diamond takes the longest branch",
			units: []Unit{u("a", "b", "d"), u("b", "c"), u("c", "d"), u("d")},
			want:  [][]string{{"d"}, {"c"}, {"b"}, {"a"}},
		},
		{
			name:    "mutual recursion",
			units:   []Unit{u("r", "a"), u("a", "b", "c"), u("b", "a"), u("c")},
			want:    [][]string{{"c"}, {"a", "b"}, {"r"}},
			reasons: []string{"", "call cycle {a, ...} of 2 units is kept together", ""},
		},
		{
			name:  "mutual recursion leaf",
			units: []Unit{u("a", "b"), u("b", "a")},
			want:  [][]string{{"a", "b"}},
		},
		{
			name:  "two independent chains",
			units: []Unit{u("a1", "a2"), u("a2"), u("b1", "b2"), u("b2", "b3"), u("b3")},
			want:  [][]string{{"a2", "b3"}, {"a1", "b2"}, {"b1"}},
		},
		{
			name:  "self-loop",
			units: []Unit{u("a", "a", "b"), u("b", "b")},
			want:  [][]string{{"b"}, {"a"}},
		},
		{
			name:  "edges to unknown IDs are ignored",
			units: []Unit{u("a", "x", "b", "fmt.Println"), u("b", "y"), u("c", "zz")},
			want:  [][]string{{"b", "c"}, {"a"}},
		},
		{
			name:  "duplicate edges",
			units: []Unit{u("a", "b", "b", "b"), u("b")},
			want:  [][]string{{"b"}, {"a"}},
		},
		{
			name:  "max units splits a level by ID",
			units: []Unit{u("r", "e", "d", "c", "b", "a"), u("e"), u("d"), u("c"), u("b"), u("a")},
			opts:  Options{MaxUnits: 2},
			want:  [][]string{{"a", "b"}, {"c", "d"}, {"e"}, {"r"}},
			reasons: []string{
				"leaves (split by --max-units=2): reach a blocking operation directly",
				"leaves (split by --max-units=2)",
				"leaves (split by --max-units=2)",
				"callers: call only units migrated in earlier phases",
			},
		},
		{
			name: "max units never splits a cycle",
			units: []Unit{
				u("r", "a"),
				u("a", "b", "d"), u("b", "c"), u("c", "a"), // cycle of 3
				u("x", "d"), u("z", "d"),
				u("d"), u("e"),
			},
			opts: Options{MaxUnits: 2},
			// level 2 packs, in ID order, a (cycle of 3, alone), x, z.
			want: [][]string{{"d", "e"}, {"a", "b", "c"}, {"x", "z"}, {"r"}},
			reasons: []string{
				"leaves: reach",
				"callers (split by --max-units=2): call only units migrated in earlier phases; call cycle {a, ...} of 3 units is larger than --max-units=2 and is kept whole",
				"callers (split by --max-units=2): call only units migrated in earlier phases",
				"callers: call only units migrated in earlier phases",
			},
		},
		{
			name: "max units keeps a package that fits together",
			units: []Unit{
				in("p", u("p.a")), in("p", u("p.b")),
				in("q", u("q.a")), in("q", u("q.b")), in("q", u("q.c")),
				in("r", u("r.a")),
				in("s", u("s.a")), in("s", u("s.b")), in("s", u("s.c")), in("s", u("s.d")),
			},
			opts: Options{MaxUnits: 3},
			// q fits in a phase: it starts one rather than fill p's. s
			// fits in none: it is split, its first units filling the
			// phase r started.
			want: [][]string{{"p.a", "p.b"}, {"q.a", "q.b", "q.c"}, {"r.a", "s.a", "s.b"}, {"s.c", "s.d"}},
		},
		{
			name:  "max units 1",
			units: []Unit{u("a", "c"), u("b", "c"), u("c")},
			opts:  Options{MaxUnits: 1},
			want:  [][]string{{"c"}, {"a"}, {"b"}},
		},
	})
}

func TestTopDown(t *testing.T) {
	runCases(t, "top-down", []planCase{
		{
			name:    "chain",
			units:   []Unit{exp("A", "b"), u("b", "c"), u("c")},
			want:    [][]string{{"A"}, {"b"}, {"c"}},
			reasons: []string{"roots: exported API", "callees: every caller was migrated in earlier phases", "callees: every caller was migrated in earlier phases"},
		},
		{
			name:    "exported roots before unexported roots",
			units:   []Unit{u("a", "c"), exp("B", "c"), exp("C", "d"), u("c", "d"), u("d")},
			want:    [][]string{{"B", "C"}, {"a"}, {"c"}, {"d"}},
			reasons: []string{"roots: exported API", "roots: unexported units", "callees: every caller was migrated in earlier phases", "callees: every caller was migrated in earlier phases"},
		},
		{
			name:  "only unexported roots",
			units: []Unit{u("a", "b"), u("b")},
			want:  [][]string{{"a"}, {"b"}},
		},
		{
			name:  "diamond",
			units: []Unit{exp("A", "b", "c"), u("b", "d"), u("c", "d"), u("d")},
			want:  [][]string{{"A"}, {"b", "c"}, {"d"}},
		},
		{
			name:  "waits for every caller",
			units: []Unit{exp("A", "b", "c"), u("b", "c"), u("c")},
			want:  [][]string{{"A"}, {"b"}, {"c"}},
		},
		{
			name:  "cycle together",
			units: []Unit{exp("A", "b"), u("b", "c"), u("c", "b", "d"), u("d")},
			want:  [][]string{{"A"}, {"b", "c"}, {"d"}},
		},
		{
			name:  "root cycle with an exported member is an exported root",
			units: []Unit{u("a", "B"), exp("B", "a", "c"), u("c")},
			want:  [][]string{{"B", "a"}, {"c"}},
		},
		{
			name:  "self-loop and unknown callees",
			units: []Unit{exp("A", "A", "b", "nowhere"), u("b", "b")},
			want:  [][]string{{"A"}, {"b"}},
		},
		{
			name:  "max units",
			units: []Unit{exp("A", "c"), exp("B", "c"), exp("C", "c"), u("c")},
			opts:  Options{MaxUnits: 2},
			want:  [][]string{{"A", "B"}, {"C"}, {"c"}},
			reasons: []string{
				"roots (split by --max-units=2): exported API", "roots (split by --max-units=2)", "callees: every caller was migrated in earlier phases",
			},
		},
	})
}

func TestCriticalPath(t *testing.T) {
	// R -> a -> s1, R -> b -> s2, Q -> c -> s3.
	forest := func() []Unit {
		return []Unit{
			exp("m.R", "m.a", "m.b"), u("m.a", "m.s1"), u("m.b", "m.s2"), u("m.s1"), u("m.s2"),
			exp("m.Q", "m.c"), u("m.c", "m.s3"), u("m.s3"),
		}
	}
	withStatic := func(units []Unit, static map[string]int) []Unit {
		for i := range units {
			node(units[i]).Score = static[units[i].UnitID()] + 1
		}
		return units
	}
	// A unit whose Funcs hold two implementations.
	iface := forest()
	node(iface[2]).ID, node(iface[2]).Funcs = "m.b", []string{"m.(*x).b", "m.(*y).b"}

	runCases(t, "critical-path", []planCase{
		{
			name:     "profile heat: hottest path first",
			units:    forest(),
			opts:     Options{Heat: map[string]int64{"m.R": 100, "m.b": 90, "m.s2": 80, "m.a": 5, "m.s1": 4, "m.Q": 50, "m.c": 30, "m.s3": 20}},
			want:     [][]string{{"m.R", "m.b", "m.s2"}, {"m.Q", "m.c", "m.s3"}, {"m.a", "m.s1"}},
			reasons:  []string{"critical path: hottest remaining root-to-sink path m.R -> m.b -> m.s2 (3 units on it, 3 new; profile heat of the new units 270", "critical path: hottest remaining root-to-sink path m.Q -> m.c -> m.s3", "m.R -> m.a -> m.s1 (3 units on it, 2 new; profile heat of the new units 9"},
			wantNote: "heat from the profile (8 of 8 units matched)",
		},
		{
			name:  "new heat decides, not the shared hot root",
			units: forest(),
			opts:  Options{Heat: map[string]int64{"m.R": 1000, "m.b": 90, "m.s2": 80, "m.a": 70, "m.s1": 60, "m.Q": 50, "m.c": 30, "m.s3": 20}},
			want:  [][]string{{"m.R", "m.b", "m.s2"}, {"m.a", "m.s1"}, {"m.Q", "m.c", "m.s3"}},
		},
		{
			name:     "heat summed over a unit's funcs",
			units:    iface,
			opts:     Options{Heat: map[string]int64{"m.(*x).b": 30, "m.(*y).b": 30, "m.a": 50}},
			want:     [][]string{{"m.R", "m.b", "m.s2"}, {"m.a", "m.s1"}, {"m.Q", "m.c", "m.s3"}},
			wantNote: "2 of 8 units matched",
		},
		{
			name: "ID is the fallback name",
			units: func() []Unit {
				us := forest()
				for i := range us {
					node(us[i]).Funcs = nil
				}
				return us
			}(),
			opts: Options{Heat: map[string]int64{"m.c": 7}},
			want: [][]string{{"m.Q", "m.c", "m.s3"}, {"m.R", "m.a", "m.s1"}, {"m.b", "m.s2"}},
		},
		{
			name:     "static score without a profile",
			units:    withStatic(forest(), map[string]int{"m.R": 2, "m.a": 1, "m.b": 1, "m.s1": 1, "m.s2": 1, "m.Q": 10, "m.c": 5, "m.s3": 5}),
			want:     [][]string{{"m.Q", "m.c", "m.s3"}, {"m.R", "m.a", "m.s1"}, {"m.b", "m.s2"}},
			reasons:  []string{"static score of the new units 23)", "", ""},
			wantNote: "no profile; heat is the static score",
		},
		{
			name:     "profile matching nothing falls back to the static score",
			units:    withStatic(forest(), map[string]int{"m.R": 2, "m.b": 9, "m.s2": 9}),
			opts:     Options{Heat: map[string]int64{"other.F": 1000}},
			want:     [][]string{{"m.R", "m.b", "m.s2"}, {"m.Q", "m.c", "m.s3"}, {"m.a", "m.s1"}},
			wantNote: "the profile matched none of the 8 units",
		},
		{
			name:  "static score breaks ties in heat",
			units: withStatic(forest(), map[string]int{"m.s1": 3}),
			opts:  Options{Heat: map[string]int64{"m.R": 10}},
			want:  [][]string{{"m.R", "m.a", "m.s1"}, {"m.Q", "m.c", "m.s3"}, {"m.b", "m.s2"}},
		},
		{
			name:  "ties go to the smaller ID",
			units: []Unit{u("r", "y", "x"), u("x"), u("y")},
			want:  [][]string{{"r", "x"}, {"y"}},
		},
		{
			name:  "longer new path wins a tie in heat and static",
			units: []Unit{u("r", "a", "z"), u("a"), u("z", "zz"), u("zz")},
			want:  [][]string{{"r", "z", "zz"}, {"a"}},
		},
		{
			name:    "cycle members stay together",
			units:   []Unit{exp("R", "a", "s"), u("a", "b"), u("b", "a", "t"), u("s"), u("t")},
			opts:    Options{Heat: map[string]int64{"b": 100}},
			want:    [][]string{{"R", "a", "b", "t"}, {"s"}},
			reasons: []string{"R -> a -> t (4 units on it, 4 new", ""},
		},
		{
			name:  "a unit may call a callee of a later phase",
			units: []Unit{exp("R", "cold", "hot"), u("cold"), u("hot")},
			opts:  Options{Heat: map[string]int64{"hot": 5}},
			want:  [][]string{{"R", "hot"}, {"cold"}},
		},
		{
			name:  "self-loop and unknown callees",
			units: []Unit{u("r", "r", "s", "elsewhere"), u("s", "s")},
			want:  [][]string{{"r", "s"}},
		},
		{
			name:  "max units splits from the sink end",
			units: []Unit{u("a", "b"), u("b", "c"), u("c", "d"), u("d", "e"), u("e")},
			opts:  Options{MaxUnits: 2},
			want:  [][]string{{"d", "e"}, {"b", "c"}, {"a"}},
			reasons: []string{
				"critical path (split by --max-units=2): hottest remaining root-to-sink path a -> b -> c -> d -> e (5 units",
				"critical path (split by --max-units=2)", "critical path (split by --max-units=2)",
			},
		},
		{
			name:    "max units keeps a big cycle whole",
			units:   []Unit{u("a", "b"), u("b", "c"), u("c", "b", "d"), u("d")},
			opts:    Options{MaxUnits: 1},
			want:    [][]string{{"d"}, {"b", "c"}, {"a"}},
			reasons: []string{"", "larger than --max-units=1 and is kept whole", ""},
		},
	})
}

// TestCriticalPathNoExplosion runs on a ladder with 2^80 root-to-sink paths;
// enumerating them would never finish.
func TestCriticalPathNoExplosion(t *testing.T) {
	const layers = 80
	var units []Unit
	name := func(l, i int) string { return fmt.Sprintf("n%03d.%d", l, i) }
	for l := range layers {
		for i := range 2 {
			var callees []string
			if l+1 < layers {
				callees = []string{name(l+1, 0), name(l+1, 1)}
			}
			units = append(units, u(name(l, i), callees...))
		}
	}
	heat := map[string]int64{name(layers-1, 1): 5}
	p := mustPlan(t, "critical-path", Graph{Units: units}, Options{Heat: heat})
	if len(p.Phases) != 2 {
		t.Fatalf("got %d phases, want 2", len(p.Phases))
	}
	first := shape(p)[0]
	if len(first) != layers || !slices.Contains(first, name(layers-1, 1)) || !slices.Contains(first, name(0, 0)) {
		t.Errorf("first phase %q: want one unit per layer, from n000.0 to the hot sink", first)
	}
}

// randomGraph returns n units with about deg callees each; with cycles,
// callees may point backwards and form cycles.
func randomGraph(r *rand.Rand, n int, deg float64, cycles bool) []Unit {
	units := make([]Unit, n)
	for i := range units {
		units[i] = u(fmt.Sprintf("u%06d", i))
		node(units[i]).Exported = r.IntN(3) == 0
		node(units[i]).Score = r.IntN(5) + r.IntN(5)
	}
	for i := range units {
		k := int(r.ExpFloat64() * deg)
		for range k {
			var j int
			switch {
			case cycles && r.IntN(8) == 0:
				j = r.IntN(n)
			case i+1 < n:
				// mostly local calls, some far ones
				if r.IntN(4) == 0 {
					j = i + 1 + r.IntN(n-i-1)
				} else {
					j = min(n-1, i+1+r.IntN(20))
				}
			default:
				continue
			}
			node(units[i]).Callees = append(node(units[i]).Callees, units[j].UnitID())
		}
		if r.IntN(10) == 0 {
			node(units[i]).Callees = append(node(units[i]).Callees, "elsewhere.F")
		}
	}
	return units
}

func randomHeat(r *rand.Rand, units []Unit) map[string]int64 {
	heat := map[string]int64{}
	for _, x := range units {
		if r.IntN(3) == 0 {
			heat[x.UnitID()] = r.Int64N(1000)
		}
	}
	return heat
}

// sccOracle computes strongly connected components the slow way: two units
// are together when each reaches the other.
func sccOracle(units []Unit) map[string]int {
	idx := map[string]int{}
	for i, x := range units {
		idx[x.UnitID()] = i
	}
	// A requirement joins two units both ways, as a call cycle does.
	edges := make([][]string, len(units))
	for i, x := range units {
		edges[i] = append(edges[i], x.CalleeIDs()...)
		if r, ok := x.(Requirer); ok {
			for _, id := range r.RequiredIDs() {
				edges[i] = append(edges[i], id)
				if j, ok := idx[id]; ok {
					edges[j] = append(edges[j], x.UnitID())
				}
			}
		}
	}
	reach := make([][]bool, len(units))
	for i := range units {
		reach[i] = make([]bool, len(units))
		stack := []int{i}
		reach[i][i] = true
		for len(stack) > 0 {
			v := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			for _, c := range edges[v] {
				if w, ok := idx[c]; ok && !reach[i][w] {
					reach[i][w] = true
					stack = append(stack, w)
				}
			}
		}
	}
	comp := map[string]int{}
	for i, x := range units {
		for j := 0; j <= i; j++ {
			if reach[i][j] && reach[j][i] {
				comp[x.UnitID()] = comp[units[j].UnitID()]
				if j == i {
					comp[x.UnitID()] = i
				}
				break
			}
		}
	}
	return comp
}

// checkPlan checks what holds for every strategy: each unit in exactly one
// phase, each phase's ID that of its units, units sorted, no empty phase,
// phase size bounded unless the phase is a single cycle.
func checkPlan(t testing.TB, g Graph, p Plan, maxUnits int) {
	t.Helper()
	seen := map[string]int{}
	for i, ph := range p.Phases {
		if want := PhaseID(unitIDs(ph.Units)); ph.ID != want {
			t.Errorf("phase %d has ID %q, want %q", i+1, ph.ID, want)
		}
		if len(ph.Units) == 0 {
			t.Errorf("phase %d is empty", i+1)
		}
		if ph.Reason == "" {
			t.Errorf("phase %d has no reason", i+1)
		}
		if !slices.IsSortedFunc(ph.Units, func(a, b Unit) int { return strings.Compare(a.UnitID(), b.UnitID()) }) {
			t.Errorf("phase %d units are not sorted by ID", i+1)
		}
		for _, x := range ph.Units {
			if prev, ok := seen[x.UnitID()]; ok {
				t.Errorf("unit %s in phases %d and %d", x.UnitID(), prev, i+1)
			}
			seen[x.UnitID()] = i + 1
		}
	}
	if len(seen) != len(g.Units) {
		t.Errorf("plan holds %d units, graph %d", len(seen), len(g.Units))
	}
	if maxUnits > 0 && len(g.Units) <= 2000 {
		comp := sccOracle(g.Units)
		for i, ph := range p.Phases {
			if len(ph.Units) <= maxUnits {
				continue
			}
			for _, x := range ph.Units {
				if comp[x.UnitID()] != comp[ph.Units[0].UnitID()] {
					t.Errorf("phase %d has %d > %d units and is not a single cycle", i+1, len(ph.Units), maxUnits)
					break
				}
			}
		}
	}
}

func phaseOf(p Plan) map[string]int {
	m := map[string]int{}
	for i, ph := range p.Phases {
		for _, x := range ph.Units {
			m[x.UnitID()] = i + 1
		}
	}
	return m
}

// TestRandomInvariants checks the ordering guarantees of each strategy on
// random graphs with cycles against an independent SCC oracle.
func TestRandomInvariants(t *testing.T) {
	for seed := range uint64(30) {
		r := rand.New(rand.NewPCG(seed, 7))
		n := 1 + r.IntN(150)
		units := randomGraph(r, n, 2, seed%3 != 0)
		g := Graph{Units: units}
		comp := sccOracle(units)
		var heat map[string]int64
		if seed%2 == 0 {
			heat = randomHeat(r, units)
		}
		for _, maxUnits := range []int{0, 1, 3, 7} {
			opts := Options{MaxUnits: maxUnits, Heat: heat}
			t.Run(fmt.Sprintf("seed%d/n%d/max%d", seed, n, maxUnits), func(t *testing.T) {
				bu := mustPlan(t, "bottom-up", g, opts)
				td := mustPlan(t, "top-down", g, opts)
				cp := mustPlan(t, "critical-path", g, opts)
				for _, p := range []Plan{bu, td, cp} {
					at := phaseOf(p)
					for _, x := range units {
						for _, y := range units {
							if comp[x.UnitID()] == comp[y.UnitID()] && at[x.UnitID()] != at[y.UnitID()] {
								t.Fatalf("%s: cycle mates %s and %s in phases %d and %d", p.Strategy, x.UnitID(), y.UnitID(), at[x.UnitID()], at[y.UnitID()])
							}
						}
					}
				}
				buAt, tdAt := phaseOf(bu), phaseOf(td)
				for _, x := range units {
					hasCalleeBefore := false
					for _, c := range x.CalleeIDs() {
						if _, ok := comp[c]; !ok || comp[c] == comp[x.UnitID()] {
							continue
						}
						if buAt[c] >= buAt[x.UnitID()] {
							t.Errorf("bottom-up: %s (phase %d) calls %s (phase %d)", x.UnitID(), buAt[x.UnitID()], c, buAt[c])
						}
						if buAt[c] == buAt[x.UnitID()]-1 {
							hasCalleeBefore = true
						}
						if tdAt[c] <= tdAt[x.UnitID()] {
							t.Errorf("top-down: %s (phase %d) calls %s (phase %d)", x.UnitID(), tdAt[x.UnitID()], c, tdAt[c])
						}
					}
					// Without splitting, bottom-up levels are tight: a unit
					// above level 1 calls a unit of the level just below.
					if maxUnits == 0 && buAt[x.UnitID()] > 1 && !hasCalleeBefore {
						// its cycle mates may hold that call
						mate := false
						for _, y := range units {
							if comp[y.UnitID()] != comp[x.UnitID()] {
								continue
							}
							for _, c := range y.CalleeIDs() {
								if _, ok := comp[c]; ok && comp[c] != comp[x.UnitID()] && buAt[c] == buAt[x.UnitID()]-1 {
									mate = true
								}
							}
						}
						if !mate {
							t.Errorf("bottom-up: %s in phase %d calls nothing in phase %d", x.UnitID(), buAt[x.UnitID()], buAt[x.UnitID()]-1)
						}
					}
				}
			})
		}
	}
}

// TestDeterminism plans shuffled copies of the same graph and expects the
// same plan every time.
func TestDeterminism(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	units := randomGraph(r, 300, 2.5, true)
	heat := randomHeat(r, units)
	for _, name := range Names() {
		for _, opts := range []Options{{}, {MaxUnits: 4}, {Heat: heat}, {Heat: heat, MaxUnits: 5}} {
			want := mustPlan(t, name, Graph{Units: units}, opts)
			for i := range 20 {
				shuffled := slices.Clone(units)
				r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
				got := mustPlan(t, name, Graph{Units: shuffled}, opts)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s %+v: shuffle %d gives another plan", name, opts.MaxUnits, i)
				}
				// Shuffling the callees changes the units themselves but
				// not the order.
				for j := range shuffled {
					node(shuffled[j]).Callees = slices.Clone(node(shuffled[j]).Callees)
					r.Shuffle(len(node(shuffled[j]).Callees), func(a, b int) {
						node(shuffled[j]).Callees[a], node(shuffled[j]).Callees[b] = node(shuffled[j]).Callees[b], node(shuffled[j]).Callees[a]
					})
				}
				got = mustPlan(t, name, Graph{Units: shuffled}, opts)
				if !reflect.DeepEqual(shape(got), shape(want)) || !reflect.DeepEqual(got.Notes, want.Notes) {
					t.Fatalf("%s: callee shuffle %d gives another plan", name, i)
				}
				for k := range got.Phases {
					if got.Phases[k].Reason != want.Phases[k].Reason {
						t.Fatalf("%s: callee shuffle %d: phase %d reason %q, want %q", name, i, k+1, got.Phases[k].Reason, want.Phases[k].Reason)
					}
				}
			}
		}
	}
}

// TestLarge plans a 20k-unit random graph with each strategy and checks the
// invariants (speed is measured by the benchmarks).
func TestLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	r := rand.New(rand.NewPCG(20, 0))
	units := randomGraph(r, 20000, 2, false)
	heat := randomHeat(r, units)
	for _, name := range Names() {
		mustPlan(t, name, Graph{Units: units}, Options{Heat: heat})
		mustPlan(t, name, Graph{Units: units}, Options{MaxUnits: 25})
	}
}

func bench(b *testing.B, name string, cycles bool, withHeat bool, maxUnits int) {
	r := rand.New(rand.NewPCG(20, 0))
	units := randomGraph(r, 20000, 2, cycles)
	opts := Options{MaxUnits: maxUnits}
	if withHeat {
		opts.Heat = randomHeat(r, units)
	}
	s, err := ByName(name)
	if err != nil {
		b.Fatal(err)
	}
	g := Graph{Units: units}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Plan(g, opts); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkBottomUp20k(b *testing.B)           { bench(b, "bottom-up", false, false, 0) }
func BenchmarkBottomUp20kCycles(b *testing.B)     { bench(b, "bottom-up", true, false, 25) }
func BenchmarkTopDown20k(b *testing.B)            { bench(b, "top-down", false, false, 0) }
func BenchmarkCriticalPath20k(b *testing.B)       { bench(b, "critical-path", false, false, 0) }
func BenchmarkCriticalPath20kHeat(b *testing.B)   { bench(b, "critical-path", false, true, 25) }
func BenchmarkCriticalPath20kCycles(b *testing.B) { bench(b, "critical-path", true, true, 0) }

// TestRequirer checks that every strategy puts units that require each
// other (functions stored into one migrating func field) in one phase,
// even when no call joins them and --max-units would split them.
func TestRequirer(t *testing.T) {
	mk := func() Graph {
		a := u("m.defaultProcess", "m.readReply")
		node(a).Requires = []string{"m.dial"}
		b := u("m.dial")
		node(b).Requires = []string{"m.defaultProcess"}
		return Graph{Units: []Unit{exp("m.Get", "m.defaultProcess"), a, b, u("m.readReply")}}
	}
	for _, name := range Names() {
		for _, max := range []int{0, 1} {
			p := mustPlan(t, name, mk(), Options{MaxUnits: max})
			phaseOf := phaseOf(p)
			if phaseOf["m.defaultProcess"] != phaseOf["m.dial"] {
				t.Errorf("%s, max %d: defaultProcess in phase %d, dial in phase %d; want one phase: %v", name, max, phaseOf["m.defaultProcess"], phaseOf["m.dial"], shape(p))
			}
		}
	}
}

func TestPhaseIDIsTheUnits(t *testing.T) {
	a := PhaseID([]string{"m.B", "m.A"})
	if a != PhaseID([]string{"m.A", "m.B"}) {
		t.Errorf("the order of the units changes the ID")
	}
	if len(a) != IDLen {
		t.Errorf("ID %q is not %d long", a, IDLen)
	}
	for _, other := range [][]string{{"m.A"}, {"m.A", "m.B", "m.C"}, {"m.AB"}} {
		if PhaseID(other) == a {
			t.Errorf("%q has the ID of [m.A m.B]", other)
		}
	}
}

// TestPhaseIDsOutliveEarlierPhases applies a plan's first phase (drops its
// units from the graph) and plans again: the phases left keep their IDs.
func TestPhaseIDsOutliveEarlierPhases(t *testing.T) {
	g := Graph{Units: []Unit{exp("m.Get", "m.do"), u("m.do", "m.read", "m.write"), u("m.read"), u("m.write"), exp("m.Put", "m.write")}}
	for _, name := range []string{BottomUpName, TopDownName} {
		p := mustPlan(t, name, g, Options{})
		if len(p.Phases) < 2 {
			t.Fatalf("%s: %d phases, want 2 or more", name, len(p.Phases))
		}
		done := map[string]bool{}
		for _, x := range p.Phases[0].Units {
			done[x.UnitID()] = true
		}
		var rest Graph
		for _, x := range g.Units {
			if !done[x.UnitID()] {
				rest.Units = append(rest.Units, x)
			}
		}
		q := mustPlan(t, name, rest, Options{})
		var before, after []string
		for _, ph := range p.Phases[1:] {
			before = append(before, ph.ID)
		}
		for _, ph := range q.Phases {
			after = append(after, ph.ID)
		}
		if !slices.Equal(before, after) {
			t.Errorf("%s: phases left %v, planned again %v", name, before, after)
		}
	}
}
