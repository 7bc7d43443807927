package heat

import (
	"bytes"
	"maps"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/google/pprof/profile"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"example.com/shop/api.(*Client).Fetch", "example.com/shop/api.(*Client).Fetch"},
		{"example.com/shop/api.(*Client).fetchPage", "example.com/shop/api.(*Client).fetchPage"},
		{"example.com/shop/api.Load", "example.com/shop/api.Load"},
		{"example.com/shop/api.Client.Get", "example.com/shop/api.Client.Get"},
		{"example.com/shop/api.F.func1", "example.com/shop/api.F"},
		{"example.com/shop/api.F.func1.2", "example.com/shop/api.F"},
		{"example.com/shop/api.(*T).M.func2.1", "example.com/shop/api.(*T).M"},
		{"example.com/shop/api.F.gowrap1", "example.com/shop/api.F"},
		{"example.com/shop/api.(*T).M.deferwrap3", "example.com/shop/api.(*T).M"},
		{"example.com/shop/api.F-range1", "example.com/shop/api.F"},
		{"example.com/shop/api.F.func1-range2", "example.com/shop/api.F"},
		{"example.com/shop/api.(*T).M-fm", "example.com/shop/api.(*T).M"},
		{"example.com/shop/api.Map[...]", "example.com/shop/api.Map"},
		{"example.com/shop/api.Map[go.shape.int,go.shape.string]", "example.com/shop/api.Map"},
		{"example.com/shop/api.(*List[...]).Push", "example.com/shop/api.(*List).Push"},
		{"example.com/shop/api.List[...].Len", "example.com/shop/api.List.Len"},
		{"example.com/shop/api.Map[...].func1", "example.com/shop/api.Map"},
		{"example.com/shop/api.init.0", "example.com/shop/api.init"},
		{"example.com/shop/api.init.func1", "example.com/shop/api.init"},
		{"example.com/shop/api.glob..func1", "example.com/shop/api.glob"},
		{"gopkg.in/yaml%2ev3.Unmarshal", "gopkg.in/yaml.v3.Unmarshal"},
		{"gopkg.in/yaml%2ev3.(*parser).parse.func1", "gopkg.in/yaml.v3.(*parser).parse"},
		{"main.main", "main.main"},
		{"main.run.func1", "main.run"},
		{"runtime.goexit", "runtime.goexit"},
		{"__libc_start_main", "__libc_start_main"},
		{"[unknown]", ""},
		// A closure marker first would be a function of that name.
		{"example.com/p.func1", "example.com/p.func1"},
	} {
		if got := Normalize(tc.in); got != tc.want {
			t.Errorf("Normalize(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// builder makes small profiles by hand.
type builder struct {
	p     *profile.Profile
	funcs map[string]*profile.Function
}

func newBuilder(types ...*profile.ValueType) *builder {
	return &builder{p: &profile.Profile{SampleType: types, PeriodType: types[0], Period: 1}, funcs: map[string]*profile.Function{}}
}

func (b *builder) fn(name string) *profile.Function {
	if f, ok := b.funcs[name]; ok {
		return f
	}
	f := &profile.Function{ID: uint64(len(b.p.Function) + 1), Name: name, SystemName: name, Filename: "x.go"}
	b.p.Function = append(b.p.Function, f)
	b.funcs[name] = f
	return f
}

// loc makes a location; more than one name means inlined frames, the
// innermost first, as pprof stores them.
func (b *builder) loc(names ...string) *profile.Location {
	l := &profile.Location{ID: uint64(len(b.p.Location) + 1), Address: uint64(0x1000 + len(b.p.Location))}
	for i, n := range names {
		l.Line = append(l.Line, profile.Line{Function: b.fn(n), Line: int64(10 + i)})
	}
	b.p.Location = append(b.p.Location, l)
	return l
}

// sample adds a sample; the stack is leaf first.
func (b *builder) sample(values []int64, stack ...*profile.Location) {
	b.p.Sample = append(b.p.Sample, &profile.Sample{Location: stack, Value: values})
}

func (b *builder) bytes(t *testing.T, gzipped bool) []byte {
	t.Helper()
	if err := b.p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	write := b.p.Write
	if !gzipped {
		write = b.p.WriteUncompressed
	}
	if err := write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestReadCPU(t *testing.T) {
	const api = "example.com/shop/api"
	b := newBuilder(&profile.ValueType{Type: "samples", Unit: "count"}, &profile.ValueType{Type: "cpu", Unit: "nanoseconds"})
	fetchPage := b.loc(api+".(*Client).fetchPage.func1", api+".(*Client).fetchPage") // inlined closure
	fetch := b.loc(api + ".(*Client).Fetch")
	mainLoc := b.loc("main.main")
	rec1, rec2, rec3 := b.loc(api+".walk"), b.loc(api+".walk"), b.loc(api+".walk.func1")
	gen := b.loc(api + ".Map[...]")
	push := b.loc(api + ".(*List[...]).Push")
	unknown := &profile.Location{ID: 99, Address: 0x9999} // no symbol
	b.p.Location = append(b.p.Location, unknown)

	b.sample([]int64{10, 100}, fetchPage, fetch, mainLoc)
	b.sample([]int64{5, 50}, rec1, rec2, rec3, fetch, unknown)
	b.sample([]int64{3, 30}, gen, push)
	b.sample([]int64{7, 0}, fetch) // no CPU time: ignored
	b.sample([]int64{1, -20}, gen) // negative (diff profile): ignored

	want := map[string]int64{
		api + ".(*Client).fetchPage": 100,
		api + ".(*Client).Fetch":     150,
		"main.main":                  100,
		api + ".walk":                50,
		api + ".Map":                 30,
		api + ".(*List).Push":        30,
	}
	for _, gz := range []bool{true, false} {
		got, err := Read(bytes.NewReader(b.bytes(t, gz)))
		if err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Errorf("gzipped=%v: Read =\n%v\nwant\n%v", gz, got, want)
		}
	}
}

func TestReadBlock(t *testing.T) {
	b := newBuilder(&profile.ValueType{Type: "contentions", Unit: "count"}, &profile.ValueType{Type: "delay", Unit: "nanoseconds"})
	b.sample([]int64{1, 700}, b.loc("sync.(*Mutex).Lock"), b.loc("example.com/m.get"))
	b.sample([]int64{9, 300}, b.loc("example.com/m.get"))
	got, err := Read(bytes.NewReader(b.bytes(t, true)))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int64{"sync.(*Mutex).Lock": 700, "example.com/m.get": 1000}
	if !maps.Equal(got, want) {
		t.Errorf("Read = %v, want %v", got, want)
	}
}

func TestSampleIndex(t *testing.T) {
	vt := func(s ...string) []*profile.ValueType {
		var out []*profile.ValueType
		for _, x := range s {
			typ, unit, _ := strings.Cut(x, "/")
			out = append(out, &profile.ValueType{Type: typ, Unit: unit})
		}
		return out
	}
	for _, tc := range []struct {
		name  string
		types []*profile.ValueType
		def   string
		want  int
	}{
		{"cpu", vt("samples/count", "cpu/nanoseconds"), "", 1},
		{"cpu first", vt("cpu/nanoseconds", "samples/count"), "", 0},
		{"block", vt("contentions/count", "delay/nanoseconds"), "", 1},
		{"wall", vt("samples/count", "time/nanoseconds"), "", 1},
		{"heap default", vt("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"), "alloc_space", 1},
		{"heap no default", vt("alloc_objects/count", "alloc_space/bytes", "inuse_objects/count", "inuse_space/bytes"), "", 3},
		{"goroutine", vt("goroutine/count"), "", 0},
		{"no types", nil, "", -1},
	} {
		p := &profile.Profile{SampleType: tc.types, DefaultSampleType: tc.def}
		if got := SampleIndex(p); got != tc.want {
			t.Errorf("%s: SampleIndex = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestReadEmpty(t *testing.T) {
	b := newBuilder(&profile.ValueType{Type: "samples", Unit: "count"}, &profile.ValueType{Type: "cpu", Unit: "nanoseconds"})
	got, err := Read(bytes.NewReader(b.bytes(t, true)))
	if err != nil || len(got) != 0 || got == nil {
		t.Errorf("Read(empty profile) = %v, %v; want an empty map", got, err)
	}
}

func TestReadGarbage(t *testing.T) {
	for _, in := range []string{"", "this is not a profile\n", "\x1f\x8b\x08garbage", "\x00\x01\x02\x03\xff"} {
		got, err := Read(strings.NewReader(in))
		if err == nil || !strings.HasPrefix(err.Error(), "not a pprof profile: ") {
			t.Errorf("Read(%q) = %v, %v; want a %q error", in, got, err, "not a pprof profile: ...")
		}
	}
}

// spinHeat burns CPU in a closure, which the profile attributes to
// spinHeat.func1 (or inlines into spinHeat).
//
//go:noinline
func spinHeat(d time.Duration) (n int) {
	work := func() {
		for i := range 100000 {
			n += i * i % 7
		}
	}
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		work()
	}
	return n
}

// spinGeneric burns CPU in a generic function, named "spinGeneric[...]" in
// profiles.
//
//go:noinline
func spinGeneric[T int | int64](d time.Duration) (n T) {
	for deadline := time.Now().Add(d); time.Now().Before(deadline); {
		for i := T(0); i < 100000; i++ {
			n += i * i % 5
		}
	}
	return n
}

var sink int

func TestReadRealCPUProfile(t *testing.T) {
	const pkg = "github.com/smartmigrate/smartmigrate/internal/heat"
	wantFuncs := []string{pkg + ".spinHeat", pkg + ".spinGeneric", pkg + ".TestReadRealCPUProfile"}
	total := map[string]int64{}
	start := time.Now()
	for time.Since(start) < 2*time.Second {
		var buf bytes.Buffer
		if err := pprof.StartCPUProfile(&buf); err != nil {
			t.Skipf("cannot profile: %v", err)
		}
		sink += spinHeat(150 * time.Millisecond)
		sink += int(spinGeneric[int64](150 * time.Millisecond))
		pprof.StopCPUProfile()
		got, err := Read(&buf)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range got {
			total[k] += v
		}
		if total[wantFuncs[0]] > 0 && total[wantFuncs[1]] > 0 {
			break
		}
	}
	if len(total) == 0 {
		t.Skip("no CPU samples in 2s")
	}
	for _, f := range wantFuncs {
		if total[f] <= 0 {
			t.Errorf("heat of %s = %d, want > 0; heat: %v", f, total[f], total)
		}
	}
	// No closure or instantiation names survive.
	for name := range total {
		if strings.Contains(name, "[") || strings.Contains(name, ".func") {
			t.Errorf("unnormalized name %q", name)
		}
	}
	// Cumulative: the test function's heat covers both spinners.
	if got, min := total[wantFuncs[2]], total[wantFuncs[0]]+total[wantFuncs[1]]; got < min {
		t.Errorf("heat of the caller %d < heat of its callees %d", got, min)
	}
}
