package main

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
)

// TestCheckGolden prints check's findings on the bundled example in every
// format and compares them with ../../golden/example/check.<format>; each
// exits 1, and the JSON and SARIF outputs parse and hold every finding.
func TestCheckGolden(t *testing.T) {
	t.Parallel()
	outputs := map[string]string{}
	for _, format := range []string{"text", "json", "sarif", "github"} {
		var stdout, stderr bytes.Buffer
		code := run([]string{"check", "-C", "../../testdata/example", "--format", format}, &stdout, &stderr)
		if code != 1 {
			t.Fatalf("--format=%s: exit %d, want 1 (findings): %s", format, code, stderr.String())
		}
		outputs[format] = stdout.String()
		compareGolden(t, filepath.Join("../../golden/example", "check."+format), stdout.String())
	}
	var rep schema.Check
	if err := json.Unmarshal([]byte(outputs["json"]), &rep); err != nil {
		t.Fatalf("--format=json is not JSON: %v", err)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(outputs["sarif"]), &sarif); err != nil {
		t.Fatalf("--format=sarif is not JSON: %v", err)
	}
	annotations := strings.Count(outputs["github"], "::warning file=")
	if rep.Count < 10 || len(rep.Findings) != rep.Count || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 ||
		len(sarif.Runs[0].Results) != rep.Count || annotations != rep.Count {
		t.Errorf("formats disagree: json count %d (%d findings), sarif %s with %d results, %d annotations",
			rep.Count, len(rep.Findings), sarif.Version, len(sarif.Runs[0].Results), annotations)
	}
	if !strings.HasSuffix(outputs["text"], "\n24 functions block without a context.Context\n") {
		t.Errorf("text output does not end with the count line:\n%s", outputs["text"])
	}
}

// TestCheckJSONAlias: --json is --format=json, and cannot go with another
// format.
func TestCheckJSONAlias(t *testing.T) {
	t.Parallel()
	var json1, json2, stderr bytes.Buffer
	run([]string{"check", "-C", "../../testdata/example", "--json"}, &json1, &stderr)
	run([]string{"check", "-C", "../../testdata/example", "--format=json"}, &json2, &stderr)
	if json1.String() != json2.String() || json1.Len() == 0 {
		t.Errorf("--json and --format=json differ:\n%s\n---\n%s", json1.String(), json2.String())
	}
	stderr.Reset()
	if code := run([]string{"check", "-C", "../../testdata/example", "--json", "--format=sarif"}, &json1, &stderr); code != 2 {
		t.Errorf("--json --format=sarif: exit %d, want 2", code)
	}
	if code := run([]string{"check", "-C", "../../testdata/example", "--format=xml"}, &json1, &stderr); code != 2 || !strings.Contains(stderr.String(), "text, json, sarif, github") {
		t.Errorf("--format=xml: exit %d, want 2 with the formats: %s", code, stderr.String())
	}
}

// TestCheckPathsFromSubfolder: run in a package's folder, text names files
// from there, GitHub annotations and SARIF from the module root, as the
// runner and code scanning read them.
func TestCheckPathsFromSubfolder(t *testing.T) {
	t.Parallel()
	for format, want := range map[string]string{
		"text":   "\nrunner.go:13:6: Run blocks",
		"github": "::warning file=runner/runner.go,line=13,col=6,title=ctxcheck::Run blocks",
		"sarif":  `"uri": "runner/runner.go"`,
	} {
		var stdout, stderr bytes.Buffer
		run([]string{"check", "-C", "../../testdata/example/runner", "--format", format}, &stdout, &stderr)
		if !strings.Contains("\n"+stdout.String(), want) {
			t.Errorf("--format=%s lacks %q:\n%s%s", format, want, stdout.String(), stderr.String())
		}
	}
}
