package report

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/migrate"
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

// PhaseText writes the report of a rewritten phase.
func PhaseText(w io.Writer, rep *migrate.PhaseReport) error {
	p := &printer{w: w}
	r := rep.Rewrite
	p.f("phase %d of %d (%s): %s\n", rep.Phase.Number, rep.Remaining, rep.Strategy, rep.Phase.Reason)
	p.f("units changed: %d\n", len(rep.Phase.Units))
	for _, u := range rep.Phase.Units {
		p.f("  %s  %s\n", Short(rep.Module, u.ID), KindLabel(u))
	}
	p.f("files changed: %d\n", len(r.Files))
	p.f("sinks made context-aware: %d\n", len(r.Rewritten))
	for _, it := range r.Rewritten {
		p.f("  %s\n", it)
	}
	p.f("sinks left as they are: %d\n", len(r.Left))
	for _, it := range r.Left {
		p.f("  %s\n", it)
	}
	p.f("call sites given context.TODO(): %d\n", len(r.TODO))
	for _, it := range r.TODO {
		p.f("  %s\n", it)
	}
	p.f("call sites moved to a ctx form: %d\n", len(r.Moved))
	for _, it := range r.Moved {
		p.f("  %s\n", it)
	}
	if len(r.Offloaded) > 0 {
		p.f("ctx forms offloaded (--offload): %d\n", len(r.Offloaded))
		for _, it := range r.Offloaded {
			p.f("  %s\n", it)
		}
	}
	if len(r.Unwrapped) > 0 {
		p.f("offloads removed: %d\n", len(r.Unwrapped))
		for _, it := range r.Unwrapped {
			p.f("  %s\n", it)
		}
	}
	if p.err != nil {
		return fmt.Errorf("print report: %w", p.err)
	}
	return nil
}
