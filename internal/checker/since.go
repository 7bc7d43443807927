package checker

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/analysis"
	"github.com/smartmigrate/smartmigrate/internal/git"
	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// lineRange is a range of changed lines of a file's new version. A pure
// deletion (Count 0 in the hunk) sits between lines Start and Start+1.
type lineRange struct {
	Start, End int
	deletion   bool
}

// Changes are the lines changed since a git ref, by absolute file name.
// A file that is new (untracked, or added since the ref) is whole.
type Changes struct {
	Ref   string
	files map[string][]lineRange
}

// whole marks a file as wholly new.
var whole = []lineRange{{Start: 1, End: int(^uint(0) >> 1)}}

// ChangedSince computes the .go lines changed between ref and the work
// tree that holds dir (committed, staged and unstaged changes alike, and
// untracked files as wholly new) with git diff --unified=0.
func ChangedSince(ctx context.Context, dir, ref string) (*Changes, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	top, err := git.TopLevel(ctx, abs)
	if err != nil {
		return nil, fmt.Errorf("--since needs a git work tree: %s is not in one", abs)
	}
	commit, err := git.ResolveCommit(ctx, abs, ref)
	if err != nil {
		return nil, fmt.Errorf("--since %s: no such git commit, branch or tag in %s", ref, top)
	}
	diff, err := git.Run(ctx, top, "-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff", "--find-renames", commit, "--", "*.go")
	if err != nil {
		return nil, err
	}
	c, err := changesOf(ref, top, diff)
	if err != nil {
		return nil, err
	}
	untracked, err := git.Run(ctx, top, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", "*.go")
	if err != nil {
		return nil, err
	}
	for _, name := range strings.Split(untracked, "\x00") {
		if name != "" {
			c.files[canonical(filepath.Join(top, filepath.FromSlash(name)))] = whole
		}
	}
	return c, nil
}

// changesOf reads the changed lines of a git diff with no context lines,
// file names relative to top.
func changesOf(ref, top, diff string) (*Changes, error) {
	files, err := patch.ParseGit(diff)
	if err != nil {
		return nil, fmt.Errorf("git diff: %w", err)
	}
	c := &Changes{Ref: ref, files: map[string][]lineRange{}}
	for _, f := range files {
		if f.Deleted {
			continue // nothing of it can be reported
		}
		name := canonical(filepath.Join(top, filepath.FromSlash(f.Path)))
		for _, h := range f.Hunks {
			c.files[name] = append(c.files[name], hunkRange(h))
		}
	}
	return c, nil
}

// hunkRange is the new side of a hunk with no context lines.
func hunkRange(h patch.Hunk) lineRange {
	if h.NewLines == 0 {
		return lineRange{Start: h.NewStart, End: h.NewStart + 1, deletion: true}
	}
	return lineRange{Start: h.NewStart, End: h.NewStart + h.NewLines - 1}
}

// Touches reports whether lines start..end of file (absolute) changed.
// A deletion counts when it is strictly inside the range.
func (c *Changes) Touches(file string, start, end int) bool {
	for _, r := range c.files[canonical(file)] {
		if r.deletion {
			if start <= r.Start && r.End <= end {
				return true
			}
			continue
		}
		if r.Start <= end && start <= r.End {
			return true
		}
	}
	return false
}

// Added reports whether lines start..end of file (absolute) were all
// added, but perhaps the last: a diff may pair a new function's closing
// brace with the one of the function before it.
func (c *Changes) Added(file string, start, end int) bool {
	ranges := c.files[canonical(file)]
	for line := start; line < max(end, start+1); line++ {
		if !slices.ContainsFunc(ranges, func(r lineRange) bool { return !r.deletion && r.Start <= line && line <= r.End }) {
			return false
		}
	}
	return true
}

// Filter keeps the findings whose function changed. A function that is
// new since the ref has no callers to keep: its advice is ctx as the
// first parameter, not a ctx form beside it.
func (c *Changes) Filter(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if !c.Touches(f.abs, f.StartLine, f.EndLine) {
			continue
		}
		if c.Added(f.abs, f.StartLine, f.EndLine) {
			f.New, f.Kind = true, analysis.InPlace
			f.Message = f.message()
		}
		out = append(out, f)
	}
	return out
}

// canonical resolves symbolic links so that git's and go's names of one
// file compare equal.
func canonical(path string) string {
	dir, base := filepath.Split(path)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(d, base)
	}
	return filepath.Clean(path)
}
