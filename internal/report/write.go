package report

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/migrate"
)

// AppliedText writes what an apply wrote: the phase's report, the checks
// it passed and where the journal has it.
func AppliedText(w io.Writer, res *migrate.ApplyResult) error {
	if err := PhaseText(w, res.Report); err != nil {
		return err
	}
	p := &printer{w: w}
	if res.Verify != nil {
		var steps []string
		for _, s := range res.Verify.Steps {
			st := s.Name + " " + s.Duration.Round(time.Millisecond).String()
			if s.Note != "" && s.Name != "go vet" {
				st += " (" + s.Note + ")"
			}
			if s.Preexisting != "" {
				st += " (pre-existing, not blamed on the phase: " + s.Preexisting + ")"
			}
			steps = append(steps, st)
		}
		p.f("verified: %s\n", strings.Join(steps, ", "))
		for _, pkg := range sortedMapKeys(res.Verify.Compatible) {
			p.f("compatible API changes in %s:\n", pkg)
			for _, m := range res.Verify.Compatible[pkg] {
				p.f("  - %s\n", m)
			}
		}
	}
	j := res.Journal
	p.f("applied phase %s (%s/%s), %d %s, in %s\n", j.ID, journal.Dir, j.Patch,
		len(j.Files), plural(len(j.Files), "file", "files"), res.Took.Round(time.Millisecond))
	if res.Commit != "" {
		p.f("committed %s\n", res.Commit)
	}
	return p.err
}

// RevertedText writes what a revert undid.
func RevertedText(w io.Writer, rs []journal.Reverted) error {
	p := &printer{w: w}
	for _, r := range rs {
		how := "exact bytes restored"
		switch {
		case r.ByHand:
			how = "marked reverted, no file changed (--forget)"
		case !r.Exact:
			how = "reverse patch applied over later changes"
		}
		p.f("reverted phase %s (%s, %d %s, %d %s): %s\n", r.Phase.ID, r.Phase.Strategy,
			len(r.Phase.Units), plural(len(r.Phase.Units), "unit", "units"),
			len(r.Phase.Files), plural(len(r.Phase.Files), "file", "files"), how)
	}
	return p.err
}

// StatusText writes how far the migration is.
func StatusText(w io.Writer, rep *migrate.StatusReport) error {
	p := &printer{w: w}
	applied := 0
	for _, ph := range rep.Phases {
		if !ph.Reverted {
			applied++
		}
	}
	p.f("%s: %d %s applied\n", rep.Module, applied, plural(applied, "phase", "phases"))
	if len(rep.Phases) > 0 {
		p.f("\n")
		tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		for _, ph := range rep.Phases {
			state := "applied " + ph.Time
			if ph.Reverted {
				state = "reverted " + ph.RevertedTime
			} else if slices.Contains(rep.Uncommitted, ph.ID) {
				state += ", not committed (apply --commit commits it first)"
			}
			fmt.Fprintf(tw, "  phase %s\t%s\t%d %s\t%d %s\t%s\t%s/%s\n", ph.ID, ph.Strategy,
				len(ph.Units), plural(len(ph.Units), "unit", "units"), len(ph.Files), plural(len(ph.Files), "file", "files"),
				state, journal.Dir, ph.Patch)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	p.f("\n")
	names := []string{}
	for _, s := range rep.Packages {
		name := Short(rep.Module, s.Package)
		if s.Package == rep.Module {
			name = "."
		}
		names = append(names, name)
	}
	nameW := len("package")
	for _, n := range names {
		nameW = max(nameW, len(n))
	}
	p.f("%-*s  %13s  %10s  %8s  %14s\n", nameW, "package", "context-aware", "to migrate", "left out", "context.TODO()")
	row := func(name string, s migrate.PackageStatus) {
		p.f("%-*s  %13d  %10d  %8d  %14d\n", nameW, name, s.ContextAware, s.ToMigrate, s.LeftOut, s.TODO)
	}
	for i, s := range rep.Packages {
		row(names[i], s)
	}
	row("total", rep.Total)
	t := rep.Total
	p.f("\nblocking functions: %d context-aware, %d remaining (%d to migrate, %d left out); %d call %s still %s context.TODO()\n",
		t.ContextAware, t.Blocking, t.ToMigrate, t.LeftOut, t.TODO, plural(t.TODO, "site", "sites"), plural(t.TODO, "passes", "pass"))
	c := t.Cancellable
	p.f("functions taking a context: %d hand it on to everything they wait on, %d to some of it, %d to nothing\n",
		c[analysis.ReachFull], c[analysis.ReachPartial], c[analysis.ReachNone])
	return p.err
}

func sortedMapKeys(m map[string][]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
