package journal

import "fmt"

// NewPhase is a phase about to be applied.
type NewPhase struct {
	// ID is the phase's ID in the plan (strategies.PhaseID).
	ID       string
	Strategy string
	Units    []string
	Files    []FileWrite
	// Patch is the phase's unified diff.
	Patch string
	// Created and Uses are what the rewrite says the phase declares and
	// relies on (see Phase).
	Created []string
	Uses    []string
	// Commit says a git commit of the phase is to follow (see
	// Phase.Commit).
	Commit bool
	// Staged, when set, is Stage of Files and Patch, started ahead.
	Staged *Staging
}

// Append applies a phase: it writes its files and records it in the
// journal, with its patch, in one transaction (see Commit). It returns the
// phase as the journal has it.
func Append(root string, np NewPhase) (Phase, error) {
	j, err := Load(root)
	if err != nil {
		return Phase{}, err
	}
	n := j.Next()
	p := Phase{
		ID:       np.ID,
		Number:   n,
		Strategy: np.Strategy,
		Units:    append([]string{}, np.Units...),
		Time:     Now().UTC().Format(timeFormat),
		Patch:    PatchName(n, np.Strategy),
		Files:    []FileHash{},
		Created:  append([]string{}, np.Created...),
		Uses:     append([]string{}, np.Uses...),
		Commit:   np.Commit,
	}
	for _, f := range np.Files {
		p.Files = append(p.Files, FileHash{Path: f.Path, Before: hashOrEmpty(f.Old), After: hashOrEmpty(f.New)})
	}
	nj := j.clone()
	nj.Phases = append(nj.Phases, p)
	t := Txn{
		Op:        fmt.Sprintf("apply of phase %s (%s)", np.ID, np.Strategy),
		Files:     np.Files,
		Journal:   nj,
		PatchPath: p.Patch,
		Patch:     np.Patch,
		Staged:    np.Staged,
	}
	if err := Commit(root, t); err != nil {
		return Phase{}, err
	}
	return p, nil
}
