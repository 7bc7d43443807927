package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// TestJSONGolden runs every command that prints JSON on a copy of the
// example, and reads the two files of .smartmigrate, in the order a
// migration goes: each document must decode into its schema type with no
// field the type lacks, hold no null, and, with durations and commit
// hashes blanked, match ../../golden/example/json/<name>.json. It does not
// run in parallel: it sets journal.Now.
func TestJSONGolden(t *testing.T) {
	if testing.Short() {
		t.Skip("applies a phase of the example")
	}
	journal.Now = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
	t.Cleanup(func() { journal.Now = time.Now })
	dir := filepath.Join(t.TempDir(), "example")
	if err := verify.CopyModule("../../testdata/example", dir); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		args []string
		doc  any
		code int
	}{
		{"plan", []string{"plan", "--json"}, &schema.Plan{}, 0},
		{"check", []string{"check", "--format=json", "./..."}, &schema.Check{}, exitFindings},
		{"apply-dry-run", []string{"apply", "--dry-run", "--json"}, &schema.Apply{}, 0},
		{"apply", []string{"apply", "--json"}, &schema.Apply{}, 0},
		{"status", []string{"status", "--json"}, &schema.Status{}, 0},
		{"journal-file", nil, &schema.Journal{}, 0},
		{"plan-file", []string{"plan", "--save"}, &schema.SavedPlan{}, 0},
		{"revert", []string{"revert", "--json"}, &schema.Revert{}, 0},
	}
	for _, st := range steps {
		out := runJSONStep(t, dir, st.args, st.code)
		switch st.name {
		case "journal-file":
			out = readFile(t, filepath.Join(dir, ".smartmigrate", "journal.json"))
		case "plan-file":
			out = readFile(t, filepath.Join(dir, ".smartmigrate", "plan.json"))
		}
		checkDocument(t, st.name, out, st.doc)
		golden := filepath.Join("../../golden/example/json", st.name+".json")
		if st.name == "check" {
			golden = "../../golden/example/check.json" // with the other formats' (TestCheckGolden)
		}
		compareGolden(t, golden, normalizeJSON(out))
	}
}

func runJSONStep(t *testing.T, dir string, args []string, want int) []byte {
	t.Helper()
	if args == nil {
		return nil
	}
	var stdout, stderr bytes.Buffer
	if code := run(append([]string{args[0], "-C", dir}, args[1:]...), &stdout, &stderr); code != want {
		t.Fatalf("smartmigrate %s: exit %d, want %d: %s", strings.Join(args, " "), code, want, stderr.String())
	}
	return stdout.Bytes()
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// checkDocument decodes data into doc, refusing fields doc's type does
// not have, and fails on a null anywhere in it or a version other than
// schema.Version.
func checkDocument(t *testing.T, name string, data []byte, doc any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(doc); err != nil {
		t.Errorf("%s: does not decode into %T: %v", name, doc, err)
	}
	var v map[string]any
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	if v["version"] != float64(schema.Version) {
		t.Errorf("%s: version %v, want %d", name, v["version"], schema.Version)
	}
	for _, p := range nulls(v, name) {
		t.Errorf("%s is null", p)
	}
}

// nulls are the paths of the nulls in v.
func nulls(v any, path string) []string {
	var out []string
	switch v := v.(type) {
	case nil:
		return []string{path}
	case map[string]any:
		for k, e := range v {
			out = append(out, nulls(e, path+"."+k)...)
		}
	case []any:
		for i, e := range v {
			out = append(out, nulls(e, fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	sort.Strings(out)
	return out
}

// normalizeJSON is data, as the command printed it, with what changes
// from run to run blanked: durations (keys ending in Ms) and commit
// hashes.
func normalizeJSON(data []byte) string {
	s := durations.ReplaceAllString(string(data), `"${1}Ms": 0`)
	return commits.ReplaceAllString(s, `"commit": "COMMIT"`)
}

var (
	durations = regexp.MustCompile(`"(\w+)Ms": \d+`)
	commits   = regexp.MustCompile(`"commit": "[0-9a-f]{40}"`)
)
