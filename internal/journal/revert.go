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
	// Phase is the ID of the phase, or a prefix of it (see FindID); "" is
	// the last applied one that is not reverted.
	Phase string
	// Cascade reverts first, newest first, the later applied phases that
	// depend on the phase.
	Cascade bool
	// Forget marks the phases reverted and changes no file: the user
	// reverted them by hand (git apply -R --3way on a conflict).
	Forget bool
}

// Reverted is one phase a revert undid.
type Reverted struct {
	Phase Phase
	// Exact is true when every file was as the phase left it, so the exact
	// bytes before the phase are back; false when the reverse patch was
	// applied hunk by hunk over later changes.
	Exact bool
	// ByHand is true when the phase was only marked reverted (Forget).
	ByHand bool
}

// PhaseError is a --phase that names no phase revert can undo (none of
// that number, or one already reverted).
type PhaseError struct{ Msg string }

func (e *PhaseError) Error() string { return e.Msg }

// ErrNothingApplied is revert's error when no phase is applied.
var ErrNothingApplied = errors.New("nothing to revert: no phase is applied")

// DependentsError refuses to revert a phase that later applied phases
// depend on.
type DependentsError struct {
	Phase string
	// Later are the IDs of the phases to revert first, newest first.
	Later []string
}

func (e *DependentsError) Error() string {
	return fmt.Sprintf("phase %s cannot be reverted alone: later applied %s %s %s; revert %s first, or use --cascade",
		e.Phase, plural(len(e.Later), "phase", "phases"), strings.Join(e.Later, ", "),
		plural(len(e.Later), "calls what it created", "call what it created (directly or through each other)"),
		plural(len(e.Later), "it", "them"))
}

// Revert undoes an applied phase (and, with Cascade, the later phases that
// depend on it) in one transaction, and marks it reverted in the journal.
// It changes nothing when any hunk of a reverse patch does not apply; the
// error is then a *patch.HunkError wrapped with the phase. It holds the
// module's writer lock from reading the journal to writing it.
func Revert(root string, o RevertOptions) ([]Reverted, error) {
	lk, err := AcquireLock(root)
	if err != nil {
		return nil, err
	}
	defer lk.Release()
	j, done, writes, err := planRevert(root, o)
	if err != nil {
		return nil, err
	}
	t := Txn{Op: "revert of " + describePhases(done), Journal: markReverted(j, done), Files: writes}
	if err := Commit(root, t); err != nil {
		return nil, err
	}
	return done, nil
}

// PlanRevert is Revert without writing anything: the phases it would
// revert and every file change it would make.
func PlanRevert(root string, o RevertOptions) ([]Reverted, []FileWrite, error) {
	_, done, writes, err := planRevert(root, o)
	return done, writes, err
}

// planRevert computes a revert: every file's contents after it, phase by
// phase, newest first, over an overlay of the tree.
func planRevert(root string, o RevertOptions) (*Journal, []Reverted, []FileWrite, error) {
	j, err := Load(root)
	if err != nil {
		return nil, nil, nil, err
	}
	applied := j.Applied()
	target, err := revertTarget(j, applied, o.Phase)
	if err != nil {
		return nil, nil, nil, err
	}
	order := revertOrder(applied, *target)
	if len(order) > 1 && !o.Cascade {
		return nil, nil, nil, dependentsError(*target, order)
	}
	ov := newOverlay(root)
	var done []Reverted
	for _, p := range order {
		if o.Forget {
			done = append(done, Reverted{Phase: p, ByHand: true})
			continue
		}
		r, err := ov.revert(p)
		if err != nil {
			return nil, nil, nil, err
		}
		done = append(done, r)
	}
	return j, done, ov.writes(), nil
}

// revertTarget returns the phase of ID id, or the last applied one when id
// is ""; it is an error when there is no such phase or it is already
// reverted.
func revertTarget(j *Journal, applied []Phase, id string) (*Phase, error) {
	if id == "" {
		if len(applied) == 0 {
			return nil, ErrNothingApplied
		}
		return &applied[len(applied)-1], nil
	}
	target, err := j.FindID(id)
	switch {
	case err != nil:
		return nil, &PhaseError{Msg: err.Error()}
	case target == nil:
		return nil, &PhaseError{Msg: fmt.Sprintf("no phase %s in the journal (%s)", id, describeApplied(applied))}
	case target.Reverted:
		return nil, &PhaseError{Msg: fmt.Sprintf("phase %s is already reverted", target.ID)}
	}
	return target, nil
}

// dependentsError names the phases of order, target last, that must be
// reverted before target.
func dependentsError(target Phase, order []Phase) *DependentsError {
	var later []string
	for _, p := range order[:len(order)-1] {
		later = append(later, p.ID)
	}
	return &DependentsError{Phase: target.ID, Later: later}
}

// markReverted returns a copy of j with the phases of done marked
// reverted now, and sets done's phases to the marked ones.
func markReverted(j *Journal, done []Reverted) *Journal {
	nj := j.clone()
	now := Now().UTC().Format(timeFormat)
	for i := range done {
		p := nj.Find(done[i].Phase.Number)
		p.Reverted, p.RevertedTime = true, now
		done[i].Phase = *p
	}
	return nj
}

// overlay is the module tree as a revert leaves it, computed in memory:
// the files it changes over the files on disk.
type overlay struct {
	root string
	// files are the contents after the revert so far (nil: deleted).
	files map[string][]byte
	// changed says which paths files holds.
	changed map[string]bool
	// original are the contents on disk of every file read (nil: absent).
	original map[string][]byte
}

func newOverlay(root string) *overlay {
	return &overlay{root: root, files: map[string][]byte{}, changed: map[string]bool{}, original: map[string][]byte{}}
}

// read returns rel's contents in the overlay, else on disk (remembering
// them as the original).
func (ov *overlay) read(rel string) ([]byte, error) {
	if ov.changed[rel] {
		if ov.files[rel] == nil {
			return nil, fmt.Errorf("%s: %w", rel, fs.ErrNotExist)
		}
		return ov.files[rel], nil
	}
	data, err := os.ReadFile(filepath.Join(ov.root, filepath.FromSlash(rel)))
	if err == nil || errors.Is(err, fs.ErrNotExist) {
		if _, seen := ov.original[rel]; !seen {
			ov.original[rel] = data
		}
	}
	return data, err
}

// revert applies p's reverse patch to the overlay. The revert is exact
// when every file of p is as p left it; then the result must be the
// contents the journal recorded before p.
func (ov *overlay) revert(p Phase) (Reverted, error) {
	text, err := ReadPatch(ov.root, p)
	if err != nil {
		return Reverted{}, err
	}
	exact, err := ov.asLeftBy(p)
	if err != nil {
		return Reverted{}, err
	}
	rev, err := patch.Reverse(text)
	if err != nil {
		return Reverted{}, fmt.Errorf("phase %s: %w", p.ID, err)
	}
	changes, err := patch.Apply(rev, ov.read)
	if err != nil {
		var he *patch.HunkError
		if errors.As(err, &he) {
			pp := Dir + "/" + p.Patch
			return Reverted{}, fmt.Errorf("cannot revert phase %s: %w: the file changed there since the phase; nothing was changed\n"+
				"to revert what still applies and resolve the rest by hand, in the module root:\n"+
				"  git apply -R --3way %s    # conflicts marked in %s\n"+
				"  git apply -R --reject %s  # what does not apply goes to %s.rej\n"+
				"then mark the phase reverted with: smartmigrate revert --phase %s --forget", p.ID, err, pp, he.Path, pp, he.Path, p.ID)
		}
		return Reverted{}, fmt.Errorf("cannot revert phase %s: %w; nothing was changed", p.ID, err)
	}
	if exact {
		if err := checkBefore(p, changes); err != nil {
			return Reverted{}, err
		}
	}
	for _, c := range changes {
		ov.files[c.Path], ov.changed[c.Path] = c.New, true
	}
	return Reverted{Phase: p, Exact: exact}, nil
}

// asLeftBy reports whether every file of p has the contents p left.
func (ov *overlay) asLeftBy(p Phase) (bool, error) {
	exact := true
	for _, f := range p.Files {
		data, err := ov.read(f.Path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return false, err
		}
		if hashOrEmpty(data) != f.After {
			exact = false
		}
	}
	return exact, nil
}

// checkBefore checks that the reverse patch of p gives back the contents
// the journal recorded before p.
func checkBefore(p Phase, changes []patch.FileChange) error {
	before := map[string]string{}
	for _, f := range p.Files {
		before[f.Path] = f.Before
	}
	for _, c := range changes {
		if h, ok := before[c.Path]; ok && hashOrEmpty(c.New) != h {
			return fmt.Errorf("cannot revert phase %s: %s: the reverse patch does not give back the contents the journal recorded before the phase; nothing was changed", p.ID, c.Path)
		}
	}
	return nil
}

// writes returns the file writes that take the tree to the overlay,
// sorted by path, leaving out files that end as they were.
func (ov *overlay) writes() []FileWrite {
	var paths []string
	for p := range ov.files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	var out []FileWrite
	for _, p := range paths {
		old, cur := ov.original[p], ov.files[p]
		if string(old) == string(cur) && (old == nil) == (cur == nil) {
			continue
		}
		out = append(out, FileWrite{Path: p, Old: old, New: cur})
	}
	return out
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
		ns = append(ns, p.ID)
	}
	return "applied: " + strings.Join(ns, ", ")
}

func describePhases(rs []Reverted) string {
	var ns []string
	for _, r := range rs {
		ns = append(ns, r.Phase.ID)
	}
	return plural(len(rs), "phase ", "phases ") + strings.Join(ns, ", ")
}
