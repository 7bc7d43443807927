package migrate

import (
	"context"
	"fmt"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/git"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
)

// RevertCommitted is Revert followed by a git commit of what it changed:
// the files it restored and the journal, nothing else. Before it writes
// anything it refuses a module outside a git work tree and files the
// revert changes that have uncommitted changes (they would go into the
// commit); with Forget, the phases' files are committed as the user left
// them. It returns the commit's hash.
func RevertCommitted(ctx context.Context, o RevertOptions) ([]journal.Reverted, string, error) {
	root, err := load.FindRoot(o.dir())
	if err != nil {
		return nil, "", err
	}
	if !git.IsWorkTree(ctx, root) {
		return nil, "", optionErrorf("--commit: the module is not in a git work tree")
	}
	done, writes, err := journal.PlanRevert(root, o.RevertOptions)
	if err != nil {
		return nil, "", err
	}
	var paths []string
	for _, w := range writes {
		paths = append(paths, w.Path)
	}
	if o.Forget {
		// Reverted by hand: the phases' files, as the user left them,
		// are what the commit records.
		paths = forgottenFiles(done)
	} else if len(paths) > 0 {
		dirty, err := git.Dirty(ctx, root, paths)
		if err != nil {
			return nil, "", err
		}
		if len(dirty) > 0 {
			return nil, "", &RefusedError{Msg: fmt.Sprintf("files the revert changes have uncommitted changes, which --commit would take; commit or stash them first:\n  %s", strings.Join(dirty, "\n  "))}
		}
	}
	rs, err := journal.Revert(root, o.RevertOptions)
	if err != nil {
		return nil, "", err
	}
	mod, err := modulePath(root)
	if err != nil {
		return rs, "", err
	}
	spec := append(paths, journal.Dir+"/journal.json")
	hash, err := git.Commit(ctx, root, spec, revertMessage(mod, rs))
	if err != nil {
		return rs, "", fmt.Errorf("the revert is done, but the commit failed: %w", err)
	}
	return rs, hash, nil
}

// forgottenFiles are the files of the phases rs, once each.
func forgottenFiles(rs []journal.Reverted) []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range rs {
		for _, f := range r.Phase.Files {
			if !seen[f.Path] {
				seen[f.Path] = true
				out = append(out, f.Path)
			}
		}
	}
	return out
}

// revertMessage is the commit message of a revert of rs in module.
func revertMessage(module string, rs []journal.Reverted) string {
	var b strings.Builder
	var ns []string
	for _, r := range rs {
		ns = append(ns, r.Phase.ID)
	}
	fmt.Fprintf(&b, "smartmigrate: revert %s %s\n\n", plural(len(rs), "phase", "phases"), strings.Join(ns, ", "))
	for _, r := range rs {
		fmt.Fprintf(&b, "Phase %s (%s):\n", r.Phase.ID, r.Phase.Strategy)
		for _, u := range r.Phase.Units {
			fmt.Fprintf(&b, "- %s\n", analysis.ShortID(module, u))
		}
	}
	return b.String()
}
