package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/patch"
)

// RevertOptions say which phase to revert.
type RevertOptions struct {
	// Phase is the journal number of the phase; 0 is the last applied one
	// that is not reverted.
	Phase int
	// Cascade reverts first, newest first, the later applied phases that
	// depend on the phase.
	Cascade bool
}

// Reverted is one phase a revert undid.
type Reverted struct {
	Phase Phase
	// Exact is true when every file was as the phase left it, so the exact
	// bytes before the phase are back; false when the reverse patch was
	// applied hunk by hunk over later changes.
	Exact bool
}

// DependentsError refuses to revert a phase that later applied phases
// depend on.
type DependentsError struct {
	Phase int
	// Later are the phases to revert first, newest first.
	Later []int
}

func (e *DependentsError) Error() string {
	var ns []string
	for _, n := range e.Later {
		ns = append(ns, fmt.Sprint(n))
	}
	return fmt.Sprintf("phase %d cannot be reverted alone: later applied %s %s %s; revert %s first, or use --cascade",
		e.Phase, plural(len(e.Later), "phase", "phases"), strings.Join(ns, ", "),
		plural(len(e.Later), "calls what it created", "call what it created (directly or through each other)"),
		plural(len(e.Later), "it", "them"))
}

// Revert undoes an applied phase (and, with Cascade, the later phases that
// depend on it) in one transaction, and marks it reverted in the journal.
// It changes nothing when any hunk of a reverse patch does not apply; the
// error is then a *patch.HunkError wrapped with the phase.
func Revert(root string, o RevertOptions) ([]Reverted, error) {
	j, err := Load(root)
	if err != nil {
		return nil, err
	}
	applied := j.Applied()
	var target *Phase
	if o.Phase == 0 {
		if len(applied) == 0 {
			return nil, errors.New("nothing to revert: no phase is applied")
		}
		target = &applied[len(applied)-1]
	} else {
		target = j.Find(o.Phase)
		switch {
		case target == nil:
			return nil, fmt.Errorf("no phase %d in the journal (%s)", o.Phase, describeApplied(applied))
		case target.Reverted:
			return nil, fmt.Errorf("phase %d is already reverted", o.Phase)
		}
	}
	order := revertOrder(applied, *target)
	if len(order) > 1 && !o.Cascade {
		var later []int
		for _, p := range order[:len(order)-1] {
			later = append(later, p.Number)
		}
		return nil, &DependentsError{Phase: target.Number, Later: later}
	}

	// Compute every file's contents after the revert, phase by phase,
	// newest first, over an overlay of the tree.
	overlay := map[string][]byte{} // path -> contents (nil: deleted)
	inOverlay := map[string]bool{}
	original := map[string][]byte{}
	read := func(rel string) ([]byte, error) {
		if inOverlay[rel] {
			if overlay[rel] == nil {
				return nil, fmt.Errorf("%s: %w", rel, fs.ErrNotExist)
			}
			return overlay[rel], nil
		}
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			if _, seen := original[rel]; !seen {
				original[rel] = data
			}
		}
		return data, err
	}
	var done []Reverted
	for _, p := range order {
		text, err := ReadPatch(root, p)
		if err != nil {
			return nil, err
		}
		exact := true
		for _, f := range p.Files {
			data, err := read(f.Path)
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, err
			}
			if hashOrEmpty(data) != f.After {
				exact = false
			}
		}
		rev, err := patch.Reverse(text)
		if err != nil {
			return nil, fmt.Errorf("phase %d: %w", p.Number, err)
		}
		changes, err := patch.Apply(rev, read)
		if err != nil {
			var he *patch.HunkError
			if errors.As(err, &he) {
				return nil, fmt.Errorf("cannot revert phase %d: %w: the file changed there since the phase; nothing was changed", p.Number, err)
			}
			return nil, fmt.Errorf("cannot revert phase %d: %w; nothing was changed", p.Number, err)
		}
		if exact {
			before := map[string]string{}
			for _, f := range p.Files {
				before[f.Path] = f.Before
			}
			for _, c := range changes {
				if h, ok := before[c.Path]; ok && hashOrEmpty(c.New) != h {
					return nil, fmt.Errorf("cannot revert phase %d: %s: the reverse patch does not give back the contents the journal recorded before the phase; nothing was changed", p.Number, c.Path)
				}
			}
		}
		for _, c := range changes {
			overlay[c.Path], inOverlay[c.Path] = c.New, true
		}
		done = append(done, Reverted{Phase: p, Exact: exact})
	}

	nj := j.clone()
	now := Now().UTC().Format(timeFormat)
	for i := range done {
		p := nj.Find(done[i].Phase.Number)
		p.Reverted, p.RevertedTime = true, now
		done[i].Phase = *p
	}
	var paths []string
	for p := range overlay {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	t := Txn{Op: "revert of " + describePhases(done), Journal: nj}
	for _, p := range paths {
		if string(original[p]) == string(overlay[p]) && (original[p] == nil) == (overlay[p] == nil) {
			continue
		}
		t.Files = append(t.Files, FileWrite{Path: p, Old: original[p], New: overlay[p]})
	}
	if err := Commit(root, t); err != nil {
		return nil, err
	}
	return done, nil
}

const timeFormat = "2006-01-02T15:04:05Z07:00"

// revertOrder returns the phases to revert to revert target, newest first,
// target last: target and every later applied phase that relies on what
// one of them created (directly or through another such phase).
func revertOrder(applied []Phase, target Phase) []Phase {
	set := []Phase{target}
	created := map[string]bool{}
	for _, n := range target.Created {
		created[n] = true
	}
	for _, p := range applied {
		if p.Number <= target.Number || !slices.ContainsFunc(p.Uses, func(n string) bool { return created[n] }) {
			continue
		}
		set = append(set, p)
		for _, n := range p.Created {
			created[n] = true
		}
	}
	slices.Reverse(set)
	return set
}

func describeApplied(applied []Phase) string {
	if len(applied) == 0 {
		return "no phase is applied"
	}
	var ns []string
	for _, p := range applied {
		ns = append(ns, fmt.Sprint(p.Number))
	}
	return "applied: " + strings.Join(ns, ", ")
}

func describePhases(rs []Reverted) string {
	var ns []string
	for _, r := range rs {
		ns = append(ns, fmt.Sprint(r.Phase.Number))
	}
	return plural(len(rs), "phase ", "phases ") + strings.Join(ns, ", ")
}
