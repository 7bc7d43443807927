package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/git"
	"github.com/smartmigrate/smartmigrate/internal/journal"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"golang.org/x/mod/modfile"
)

// Uncommitted returns the phases of j, applied and not reverted, that were
// applied with --commit but whose patch git has not committed: the process
// stopped between writing the journal and committing. Outside a git work
// tree there are none.
func Uncommitted(ctx context.Context, root string, j *journal.Journal) ([]journal.Phase, error) {
	byPatch := map[string]journal.Phase{}
	var paths []string
	for _, p := range j.Applied() {
		if p.Commit {
			path := journal.Dir + "/" + p.Patch
			byPatch[path] = p
			paths = append(paths, path)
		}
	}
	if len(paths) == 0 || !git.IsWorkTree(ctx, root) {
		return nil, nil
	}
	lines, err := git.Dirty(ctx, root, paths)
	if err != nil {
		return nil, fmt.Errorf("which phases are committed: %w", err)
	}
	dirty := map[string]bool{}
	for _, l := range lines {
		if len(l) > 3 {
			dirty[strings.Trim(l[3:], `"`)] = true
		}
	}
	var out []journal.Phase
	for _, p := range j.Applied() {
		if path := journal.Dir + "/" + p.Patch; p.Commit && dirty[path] {
			out = append(out, p)
		}
	}
	return out, nil
}

// CommittedPhase is a phase that CommitUncommitted committed.
type CommittedPhase struct {
	Phase  journal.Phase
	Commit string
}

// CommitUncommitted commits, oldest first, the phases of the module that
// holds dir that were applied with --commit and not committed (see
// Uncommitted), each with its files and the journal, so that apply
// --commit starts from a tree where every such phase has its commit.
func CommitUncommitted(ctx context.Context, dir string) ([]CommittedPhase, error) {
	if dir == "" {
		dir = "."
	}
	root, err := load.FindRoot(dir)
	if err != nil {
		return nil, err
	}
	j, err := journal.Load(root)
	if err != nil {
		return nil, err
	}
	phases, err := Uncommitted(ctx, root, j)
	if err != nil || len(phases) == 0 {
		return nil, err
	}
	module, err := modulePath(root)
	if err != nil {
		return nil, err
	}
	var out []CommittedPhase
	for _, p := range phases {
		spec := journalFiles(root, p)
		for _, f := range p.Files {
			spec = append(spec, f.Path)
		}
		msg := commitMessage(module, "", p) + "\n(Committed by a later apply --commit: the apply that wrote the phase stopped before its commit.)\n"
		hash, err := git.Commit(ctx, root, spec, msg)
		if err != nil {
			return out, fmt.Errorf("commit phase %s, applied but not committed: %w", p.ID, err)
		}
		out = append(out, CommittedPhase{Phase: p, Commit: hash})
	}
	return out, nil
}

// modulePath reads the module path from root/go.mod.
func modulePath(root string) (string, error) {
	path := filepath.Join(root, "go.mod")
	data, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("read module path: %w", err)
	}
	mp := modfile.ModulePath(data)
	if mp == "" {
		return "", fmt.Errorf("%s: no module line", path)
	}
	return mp, nil
}
