package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// Now is the clock that stamps applied and reverted phases; tests replace
// it to get stable output.
var Now = time.Now

// Journal is .smartmigrate/journal.json: every phase applied to the module,
// in the order it was applied, reverted ones included. Its format is
// schema.Journal.
type Journal struct {
	schema.Journal
}

// Phase is one applied phase (see schema.JournalPhase).
type Phase = schema.JournalPhase

// FileHash is a file a phase touched, with the sha256 of its contents
// before and after; "" is a file that does not exist.
type FileHash = schema.FileHash

// FormatVersion is the format of journal.json and plan.json that this
// smartmigrate writes and the newest it reads. A file of a newer format is
// refused, with what to do, rather than misread.
const FormatVersion = schema.Version

// checkVersion refuses a file of a format newer than FormatVersion.
func checkVersion(path string, v int) error {
	if v > FormatVersion {
		return fmt.Errorf("%s is in format version %d, newer than this smartmigrate reads (%d): a newer smartmigrate wrote it; use that one (go install github.com/smartmigrate/smartmigrate/cmd/smartmigrate@latest)", path, v, FormatVersion)
	}
	return nil
}

// PatchName is the journal's name for phase n's patch.
func PatchName(n int, strategy string) string {
	return fmt.Sprintf("phases/%02d-%s.patch", n, strategy)
}

// Load reads root/.smartmigrate/journal.json; a missing journal is an
// empty one.
func Load(root string) (*Journal, error) {
	path := filepath.Join(root, Dir, "journal.json")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return &Journal{Journal: schema.Journal{Phases: []Phase{}}}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read journal: %w", err)
	}
	var j Journal
	if err := json.Unmarshal(data, &j); err != nil {
		return nil, jsonError(path, data, err)
	}
	if err := checkVersion(path, j.Version); err != nil {
		return nil, err
	}
	for i := range j.Phases {
		upgrade(&j.Phases[i])
	}
	return &j, nil
}

// upgrade fills in what a phase written by an older smartmigrate lacks:
// its ID (that of its units) and empty lists where it has none.
func upgrade(p *Phase) {
	if p.ID == "" {
		p.ID = strategies.PhaseID(p.Units)
	}
	for _, l := range []*[]string{&p.Units, &p.Created, &p.Uses} {
		if *l == nil {
			*l = []string{}
		}
	}
	if p.Files == nil {
		p.Files = []FileHash{}
	}
}

// Save writes the journal atomically.
func (j *Journal) Save(root string) error {
	j.Version = FormatVersion
	data, err := encode(j)
	if err != nil {
		return err
	}
	return WriteFileAtomic(filepath.Join(root, Dir, "journal.json"), data)
}

// Applied returns the phases that are applied and not reverted, in order.
func (j *Journal) Applied() []Phase {
	var out []Phase
	for _, p := range j.Phases {
		if !p.Reverted {
			out = append(out, p)
		}
	}
	return out
}

// Find returns the phase numbered n, or nil.
func (j *Journal) Find(n int) *Phase {
	for i := range j.Phases {
		if j.Phases[i].Number == n {
			return &j.Phases[i]
		}
	}
	return nil
}

// FindID returns the phase with the given ID, or with an ID that id is a
// prefix of (at least MinIDPrefix characters, naming one phase); of
// several with that ID (a phase applied, reverted and applied again), the
// one applied and not reverted, else the last. It is nil when none has
// that ID, and an error when the prefix names several phases.
func (j *Journal) FindID(id string) (*Phase, error) {
	var found *Phase
	for i := range j.Phases {
		p := &j.Phases[i]
		if !MatchID(p.ID, id) {
			continue
		}
		if found != nil && found.ID != p.ID {
			return nil, fmt.Errorf("phase %s is ambiguous: %s and %s both start so; give more of the ID", id, found.ID, p.ID)
		}
		if found == nil || found.Reverted {
			found = p
		}
	}
	return found, nil
}

// MinIDPrefix is the shortest prefix of a phase ID that --phase takes.
const MinIDPrefix = 4

// MatchID reports whether the ID a user gave, q, names the phase ID id:
// it is id, or a prefix of it at least MinIDPrefix long.
func MatchID(id, q string) bool {
	return id == q || len(q) >= MinIDPrefix && strings.HasPrefix(id, q)
}

// Next is the number the next applied phase gets.
func (j *Journal) Next() int {
	n := 0
	for _, p := range j.Phases {
		n = max(n, p.Number)
	}
	return n + 1
}

// ReadPatch returns the text of a phase's patch.
func ReadPatch(root string, p Phase) (string, error) {
	data, err := os.ReadFile(filepath.Join(root, Dir, filepath.FromSlash(p.Patch)))
	if errors.Is(err, fs.ErrNotExist) {
		return "", &MissingPatchError{Phase: p.ID, Path: Dir + "/" + p.Patch}
	}
	if err != nil {
		return "", fmt.Errorf("phase %s: %w", p.ID, err)
	}
	return string(data), nil
}

// MissingPatchError is a phase whose patch file is gone.
type MissingPatchError struct {
	Phase string // its ID
	Path  string // relative to the module root
}

func (e *MissingPatchError) Error() string {
	return fmt.Sprintf("phase %s: its patch %s is missing, and revert works from it; nothing was changed\n"+
		"restore it: git stash pop (git stash -u takes it away), git checkout -- %s (when it was committed),\n"+
		"or, if the phase is undone already, mark it so: smartmigrate revert --phase %s --forget", e.Phase, e.Path, e.Path, e.Phase)
}

func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := schema.Write(&buf, v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// clone returns a deep copy of j.
func (j *Journal) clone() *Journal {
	c := &Journal{Journal: schema.Journal{Version: j.Version, Phases: make([]Phase, len(j.Phases))}}
	for i, p := range j.Phases {
		p.Units = append([]string(nil), p.Units...)
		p.Files = append([]FileHash(nil), p.Files...)
		p.Created = append([]string(nil), p.Created...)
		p.Uses = append([]string(nil), p.Uses...)
		c.Phases[i] = p
	}
	return c
}
