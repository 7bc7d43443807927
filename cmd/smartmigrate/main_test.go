package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/testenv"
)

var update = flag.Bool("update", false, "rewrite the golden files under ../../golden")

func TestMain(m *testing.M) {
	testenv.LessGC() // the scripts get it too: see Setup
	testscript.Main(m, map[string]func(){
		"smartmigrate": func() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs the command-line scripts in ../../testdata/script.
func TestScripts(t *testing.T) {
	t.Parallel()
	profile, err := filepath.Abs("../../testdata/profiles/example-cpu.pprof")
	if err != nil {
		t.Fatal(err)
	}
	example, err := filepath.Abs("../../testdata/example")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			// The go command run by go/packages needs its caches.
			for _, k := range []string{"GOCACHE", "GOPATH", "GOMODCACHE", "GOPROXY", "GOFLAGS", "GOTOOLCHAIN", "GOGC"} {
				if v, ok := os.LookupEnv(k); ok {
					env.Setenv(k, v)
				}
			}
			if os.Getenv("GOCACHE") == "" {
				env.Setenv("GOCACHE", filepath.Join(os.TempDir(), "smartmigrate-test-gocache"))
			}
			if os.Getenv("GOPATH") == "" {
				home, _ := os.UserHomeDir()
				env.Setenv("GOPATH", filepath.Join(home, "go"))
			}
			env.Setenv("PROFILE", profile)
			env.Setenv("EXAMPLE", example)
			env.Setenv("NO_COLOR", "1")
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"crlf": cmdCRLF,
			"eol":  cmdEOL,
		},
		// [root]: permissions do not stop this process (read-only
		// folders are writable to it).
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdCRLF is the script command "crlf FILE...": it gives every line of
// the files a CRLF ending.
func cmdCRLF(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: crlf FILE...")
	}
	for _, name := range args {
		data := ts.ReadFile(name)
		data = strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\n", "\r\n")
		ts.Check(os.WriteFile(ts.MkAbs(name), []byte(data), 0o644))
	}
}

// cmdEOL is the script command "eol crlf|lf FILE": every line of the file
// ends so.
func cmdEOL(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 || args[0] != "crlf" && args[0] != "lf" {
		ts.Fatalf("usage: eol crlf|lf FILE")
	}
	data := ts.ReadFile(args[1])
	crlf := strings.Count(data, "\r\n")
	lf := strings.Count(data, "\n") - crlf
	ok := args[0] == "crlf" && lf == 0 && crlf > 0 || args[0] == "lf" && crlf == 0
	if ok == neg {
		ts.Fatalf("%s: %d CRLF and %d LF line endings", args[1], crlf, lf)
	}
}

// TestPlanGolden prints the bundled example's plan with each strategy and
// compares it with ../../golden/example/plan-<strategy>.txt; critical-path
// uses the CPU profile recorded from the example's own BenchmarkLoad.
func TestPlanGolden(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, strategy string }{
		{"plan-bottom-up", "bottom-up"},
		{"plan-top-down", "top-down"},
		{"plan-critical-path", "critical-path"},
		{"plan-critical-path-static", "critical-path"},
		{"plan-bottom-up-max3", "bottom-up"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			args := []string{"plan", "-C", "../../testdata/example", "--strategy", tc.strategy}
			switch tc.name {
			case "plan-critical-path":
				args = append(args, "--profile", "../../testdata/profiles/example-cpu.pprof")
			case "plan-bottom-up-max3":
				args = append(args, "--max-units", "3")
			}
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			compareGolden(t, filepath.Join("../../golden/example", tc.name+".txt"), stdout.String())
		})
	}
}

// TestPlanJSON checks that --json is the same plan, as parseable JSON.
func TestPlanJSON(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	if code := run([]string{"plan", "-C", "../../testdata/example", "--json"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var rep schema.Plan
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("plan --json is not JSON: %v", err)
	}
	if rep.Module != "example.com/shop" || len(rep.Phases) == 0 || len(rep.LeftOut) == 0 || rep.Summary.Units == 0 {
		t.Errorf("plan --json is missing parts: %+v", rep)
	}
	text := &bytes.Buffer{}
	run([]string{"plan", "-C", "../../testdata/example"}, text, &stderr)
	for _, ph := range rep.Phases {
		for _, u := range ph.Units {
			if !strings.Contains(text.String(), strings.TrimPrefix(u.ID, "example.com/shop/")) {
				t.Errorf("unit %s is in the JSON plan but not in the text plan", u.ID)
			}
		}
	}
}

func compareGolden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/smartmigrate -update writes it)", err)
	}
	if string(want) != got {
		t.Errorf("%s differs (go test ./cmd/smartmigrate -update rewrites it)\n--- got\n%s", path, got)
	}
}
