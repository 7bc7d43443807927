package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
	"github.com/smartmigrate/smartmigrate/rewrite"
)

const (
	red   = "\x1b[31m"
	green = "\x1b[32m"
	cyan  = "\x1b[36m"
	bold  = "\x1b[1m"
	reset = "\x1b[0m"
)

// Patch writes a unified diff, colored as git colors it when color is set.
func Patch(w io.Writer, diff string, color bool) error {
	if !color {
		_, err := io.WriteString(w, diff)
		return err
	}
	bw := bufio.NewWriter(w)
	for _, line := range strings.SplitAfter(diff, "\n") {
		c := ""
		switch {
		case strings.HasPrefix(line, "diff --git"), strings.HasPrefix(line, "--- "), strings.HasPrefix(line, "+++ "),
			strings.HasPrefix(line, "new file"), strings.HasPrefix(line, "deleted file"):
			c = bold
		case strings.HasPrefix(line, "@@"):
			c = cyan
		case strings.HasPrefix(line, "+"):
			c = green
		case strings.HasPrefix(line, "-"):
			c = red
		}
		if c == "" || line == "" {
			bw.WriteString(line)
			continue
		}
		body := strings.TrimSuffix(line, "\n")
		bw.WriteString(c + body + reset + line[len(body):])
	}
	return bw.Flush()
}

// sections are the groups of a phase report, by diagnostic code.
var sections = []struct {
	code  rewrite.Code
	title string
	// always is true for a section printed even when empty.
	always bool
}{
	{rewrite.CodeRewritten, "sinks made context-aware", true},
	{rewrite.CodeLeft, "sinks left as they are", true},
	{rewrite.CodeTODO, "call sites given context.TODO()", true},
	{rewrite.CodeMoved, "call sites moved to a ctx form", true},
	{rewrite.CodeOffloaded, "ctx forms offloaded (--offload)", false},
	{rewrite.CodeUnwrapped, "offloads removed", false},
	{rewrite.CodeRenamed, "variables renamed for the ctx parameter", false},
}

// PhaseText writes the report of a rewritten phase.
func PhaseText(w io.Writer, rep *migrate.PhaseReport) error {
	p := &printer{w: w}
	r := rep.Rewrite
	p.f("phase %s (%s%s): %s\n", rep.Phase.ID, rep.Strategy, leftText(rep), rep.Phase.Reason)
	if len(rep.Shims) > 0 {
		p.f("units changed: %d\n", len(rep.Shims))
		for _, s := range rep.Shims {
			p.f("  %s  %s\n", Short(rep.Module, s.ID), ShimLabel(s))
		}
	} else {
		p.f("units changed: %d\n", len(rep.Phase.Units))
		for _, u := range migrate.Units(rep.Phase) {
			p.f("  %s  %s\n", Short(rep.Module, u.ID), KindLabel(u))
		}
	}
	p.f("files changed: %d\n", len(r.Files))
	for _, sec := range sections {
		items := r.Of(sec.code)
		if len(items) == 0 && !sec.always {
			continue
		}
		p.f("%s: %d\n", sec.title, len(items))
		for _, it := range items {
			p.f("  %s\n", it)
		}
	}
	if p.err != nil {
		return fmt.Errorf("print report: %w", p.err)
	}
	return nil
}

// leftText says how many phases of the plan are left after rep's.
func leftText(rep *migrate.PhaseReport) string {
	switch n := len(rep.Left) - 1; {
	case rep.Strategy == migrate.FinalizeStrategy:
		return ""
	case n <= 0:
		return "; the plan's last phase"
	default:
		return fmt.Sprintf("; %d more %s in the plan after it", n, plural(n, "phase", "phases"))
	}
}
