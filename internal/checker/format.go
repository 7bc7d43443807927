package checker

import (
	"fmt"
	"io"
	"strings"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
)

// Format is how check prints its findings.
type Format string

// The formats of check's output.
const (
	// FormatText is file:line:col: message, one a line, and a count line.
	FormatText Format = "text"
	// FormatJSON is a schema.Check.
	FormatJSON Format = "json"
	// FormatSARIF is a SARIF 2.1.0 log, for code scanning.
	FormatSARIF Format = "sarif"
	// FormatGitHub is GitHub Actions workflow commands, one warning
	// annotation a finding.
	FormatGitHub Format = "github"
)

// Formats are the formats, as --format takes them.
var Formats = []Format{FormatText, FormatJSON, FormatSARIF, FormatGitHub}

// ParseFormat is the format named s, or an error that lists the formats.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats {
		if string(f) == s {
			return f, nil
		}
	}
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return "", fmt.Errorf("unknown format %q: want one of %s", s, strings.Join(names, ", "))
}

// Result is what one check found.
type Result struct {
	// Since is the --since ref, "" when every function was checked.
	Since    string
	Count    int
	Findings []Finding
}

// Write prints r in format f. Text and JSON name files as the findings
// do, relative to the folder check ran in; SARIF and GitHub annotations
// relative to the module root, as code scanning and the runner read them.
func Write(w io.Writer, f Format, r Result) error {
	if r.Findings == nil {
		r.Findings = []Finding{}
	}
	r.Count = len(r.Findings)
	var err error
	switch f {
	case FormatJSON:
		err = writeJSON(w, checkJSON(r))
	case FormatSARIF:
		err = writeJSON(w, sarifOf(r))
	case FormatGitHub:
		err = writeGitHub(w, r)
	default:
		err = writeText(w, r)
	}
	if err != nil {
		return fmt.Errorf("write the findings: %w", err)
	}
	return nil
}

// checkJSON is r as check --format=json prints it (schema.Check).
func checkJSON(r Result) schema.Check {
	out := schema.Check{Version: schema.Version, Since: r.Since, Count: len(r.Findings), Findings: []schema.Finding{}}
	for _, f := range r.Findings {
		out.Findings = append(out.Findings, schema.Finding{
			Pos: schema.Position{File: f.File, Line: f.Line, Col: f.Col}, Func: f.Func, Code: string(f.Kind),
			Message: f.Message, New: f.New, StartLine: f.StartLine, EndLine: f.EndLine,
		})
	}
	return out
}

func writeJSON(w io.Writer, v any) error { return schema.Write(w, v) }

func writeText(w io.Writer, r Result) error {
	for _, f := range r.Findings {
		if _, err := fmt.Fprintln(w, f); err != nil {
			return err
		}
	}
	_, err := fmt.Fprintln(w, countLine(len(r.Findings), r.Since))
	return err
}

// countLine is "2 functions block without a context.Context (changed since
// origin/main)".
func countLine(n int, since string) string {
	s := fmt.Sprintf("%d functions block without a context.Context", n)
	switch n {
	case 0:
		s = "no function blocks without a context.Context"
	case 1:
		s = "1 function blocks without a context.Context"
	}
	if since != "" {
		s += " in code changed since " + since
	}
	return s
}

// writeGitHub writes a ::warning workflow command per finding, which
// GitHub Actions shows as an annotation on the line.
func writeGitHub(w io.Writer, r Result) error {
	for _, f := range r.Findings {
		_, err := fmt.Fprintf(w, "::warning file=%s,line=%d,col=%d,title=%s::%s\n",
			escapeProperty(f.inRoot), f.Line, f.Col, escapeProperty(Category), escapeData(f.Message))
		if err != nil {
			return err
		}
	}
	return nil
}

// escapeData escapes a workflow command's message as GitHub's runner
// reads it: %, CR and LF.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a workflow command's property value: as data,
// and : and , too.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
