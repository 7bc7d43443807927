// Package heat reads a pprof profile into the heat map that the
// critical-path strategy uses (strategies.Options.Heat).
package heat

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/google/pprof/profile"
)

// Read parses a pprof profile (gzipped or not, as profile.Parse accepts)
// and returns the cumulative heat of every function on its stacks, keyed by
// the qualified name that Normalize gives (the form of strategies.Unit.ID).
//
// One value of each sample is used, chosen by SampleIndex: CPU time for a
// CPU profile, else the last time-valued type (the delay of a block or mutex
// profile, the time of a wall-clock profile), else the profile's default
// sample type, else the last type. The value is added once to every
// distinct function on the sample's stack, inlined frames included, so a
// function's heat is its cumulative (flat + callees) value and recursion
// counts once per sample. Samples with a value ≤ 0 (as in diff profiles)
// are ignored. A profile without samples gives an empty map.
func Read(r io.Reader) (map[string]int64, error) {
	p, err := profile.Parse(r)
	if err != nil {
		return nil, fmt.Errorf("not a pprof profile: %w", err)
	}
	heat := map[string]int64{}
	idx := SampleIndex(p)
	if idx < 0 {
		return heat, nil
	}
	seen := map[string]bool{}
	for _, s := range p.Sample {
		if idx >= len(s.Value) || s.Value[idx] <= 0 {
			continue
		}
		v := s.Value[idx]
		clear(seen)
		for _, loc := range s.Location {
			if loc == nil {
				continue
			}
			for _, line := range loc.Line {
				if line.Function == nil {
					continue
				}
				name := line.Function.Name
				if name == "" {
					name = line.Function.SystemName
				}
				if name == "" {
					continue
				}
				name = Normalize(name)
				if name == "" || seen[name] {
					continue
				}
				seen[name] = true
				heat[name] += v
			}
		}
	}
	return heat, nil
}

// SampleIndex returns the index of the sample value that Read uses, or -1
// when the profile has no sample types. In order of preference: the type
// "cpu" (a Go CPU profile has samples/count and cpu/nanoseconds); the last
// type measured in time (nanoseconds, microseconds, milliseconds, seconds):
// delay/nanoseconds in a block or mutex profile, time in a wall-clock
// profile such as fgprof's; the profile's default sample type; the last type.
func SampleIndex(p *profile.Profile) int {
	for i, t := range p.SampleType {
		if t.Type == "cpu" {
			return i
		}
	}
	for i := len(p.SampleType) - 1; i >= 0; i-- {
		switch p.SampleType[i].Unit {
		case "nanoseconds", "microseconds", "milliseconds", "seconds":
			return i
		}
	}
	if p.DefaultSampleType != "" {
		for i, t := range p.SampleType {
			if t.Type == p.DefaultSampleType {
				return i
			}
		}
	}
	return len(p.SampleType) - 1
}

// Normalize turns a function name as the Go runtime reports it in a profile
// into the qualified name of the function declaration that holds it, the
// form of strategies.Unit.ID:
//
//   - generic instantiations lose their brackets:
//     "pkg.Map[...]" and "pkg.(*List[...]).Push" become "pkg.Map" and
//     "pkg.(*List).Push";
//   - closures, go and defer wrappers and range-over-func bodies count for
//     their enclosing function: "pkg.F.func1", "pkg.(*T).M.func2.1",
//     "pkg.F.gowrap1", "pkg.F.deferwrap1", "pkg.F-range1" and the method
//     value wrapper "pkg.T.M-fm" become "pkg.F", "pkg.(*T).M" and "pkg.T.M";
//     closures of package-level initialisers ("pkg.init.func1",
//     "pkg.glob..func1") and numbered init functions ("pkg.init.0") become
//     "pkg.init" and "pkg.glob";
//   - the escaped dots of the last import path element ("gopkg.in/yaml%2ev3.Unmarshal")
//     are unescaped ("gopkg.in/yaml.v3.Unmarshal").
//
// Names that are not Go qualified names (no dot, as in C frames) are
// returned without their brackets, otherwise unchanged. Note that functions
// of a main package are named "main.F" in profiles, whatever the package's
// import path.
func Normalize(name string) string {
	name = stripBrackets(name)
	slash := strings.LastIndexByte(name, '/')
	dot := strings.IndexByte(name[slash+1:], '.')
	if dot < 0 {
		return name
	}
	dot += slash + 1
	pkg, rest := unescapePath(name[:dot]), name[dot+1:]

	var kept []string
	for i, part := range splitComponents(rest) {
		if j := strings.IndexByte(part, '-'); j >= 0 {
			part = part[:j] // "F-range1", "M-fm"
		}
		if i > 0 && isClosureMarker(part) {
			break
		}
		kept = append(kept, part)
	}
	return pkg + "." + strings.Join(kept, ".")
}

// splitComponents splits "(*T).M.func1" at the dots that are not inside
// parentheses: ["(*T)", "M", "func1"].
func splitComponents(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case '.':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// isClosureMarker reports whether a name component starts a function that
// the compiler made inside the one before: "func3", "gowrap1", "deferwrap2",
// a bare number (nested closures "func1.2", numbered init functions
// "init.0"), or nothing ("glob..func1").
func isClosureMarker(part string) bool {
	if part == "" || isDigits(part) {
		return true
	}
	for _, prefix := range []string{"func", "gowrap", "deferwrap"} {
		if digits, ok := strings.CutPrefix(part, prefix); ok && isDigits(digits) {
			return true
		}
	}
	return false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// stripBrackets removes every bracketed part, nested ones included:
// "pkg.F[go.shape.int]" -> "pkg.F".
func stripBrackets(s string) string {
	if !strings.ContainsRune(s, '[') {
		return s
	}
	var b strings.Builder
	depth := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			depth++
		case c == ']' && depth > 0:
			depth--
		case depth == 0:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// unescapePath undoes the linker's escaping of an import path in symbol
// names ("%2e" for a dot in the last element, "%XX" for other bytes).
func unescapePath(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b.WriteByte(byte(v))
				i += 2
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
