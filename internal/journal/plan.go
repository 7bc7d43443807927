// Package journal keeps smartmigrate's state in the module's .smartmigrate
// folder: the saved plan, the applied phases and their patches. Every file
// is written atomically.
package journal

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/smartmigrate/smartmigrate/cmd/smartmigrate/schema"
	"github.com/smartmigrate/smartmigrate/internal/load"
	"github.com/smartmigrate/smartmigrate/strategies"
)

// Dir is the folder, below the module root, that holds the journal.
const Dir = ".smartmigrate"

// Source identifies the source a plan was made from (see schema.Source).
type Source = schema.Source

// SavedPlan is .smartmigrate/plan.json: a plan a person can review, commit
// and edit (deleting a unit drops it from the migration). Its format is
// schema.SavedPlan.
type SavedPlan = schema.SavedPlan

// SavedPhase is a phase of a saved plan.
type SavedPhase = schema.SavedPhase

// SavedUnit is a unit of a saved plan: its ID is what apply reads; the
// rest is for the person reviewing the plan.
type SavedUnit = schema.SavedUnit

// savedPlanV1 is what apply reads of a plan.json of format version 1,
// whose units' sink and risks were text: the phases, in order, and their
// units' IDs.
type savedPlanV1 struct {
	Module   string `json:"module"`
	Strategy string `json:"strategy"`
	Phases   []struct {
		ID     string `json:"id"`
		Reason string `json:"reason"`
		Units  []struct {
			ID       string   `json:"id"`
			Funcs    []string `json:"funcs"`
			Kind     string   `json:"kind"`
			Exported bool     `json:"exported"`
		} `json:"units"`
	} `json:"phases"`
	Source Source `json:"source"`
}

// upgrade is p as format 2 has it: a unit's sink and risks, which were
// text, are not kept (a new plan --save writes them again).
func (p savedPlanV1) upgrade() SavedPlan {
	sp := SavedPlan{Version: FormatVersion, Module: p.Module, Strategy: p.Strategy, Source: p.Source, Phases: []SavedPhase{}}
	for _, ph := range p.Phases {
		nph := SavedPhase{ID: ph.ID, Reason: ph.Reason, Units: []SavedUnit{}}
		for _, u := range ph.Units {
			nph.Units = append(nph.Units, SavedUnit{ID: u.ID, Funcs: u.Funcs, Kind: u.Kind, Exported: u.Exported, Risks: []schema.Item{}})
		}
		sp.Phases = append(sp.Phases, nph)
	}
	return sp
}

// Fingerprint hashes the module's source below root: its .go files
// (testdata, vendor, hidden folders and nested modules excluded), go.mod
// and go.sum.
func Fingerprint(root string) (Source, error) {
	src := Source{Files: map[string]string{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			return load.SkipFolder(root, path, name)
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if !strings.HasSuffix(name, ".go") && rel != "go.mod" && rel != "go.sum" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		src.Files[rel] = Hash(data)
		return nil
	})
	if err != nil {
		return Source{}, fmt.Errorf("fingerprint %s: %w", root, err)
	}
	src.Fingerprint = sum(src.Files)
	return src, nil
}

// sum is the fingerprint of a file-to-hash map.
func sum(files map[string]string) string {
	h := sha256.New()
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", files[n], n)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// inFingerprint reports whether Fingerprint covers the module-relative
// path rel (nested modules aside, which it cannot tell from the path).
func inFingerprint(rel string) bool {
	dirs := strings.Split(rel, "/")
	for _, d := range dirs[:len(dirs)-1] {
		if load.LeftOut(d) {
			return false
		}
	}
	return strings.HasSuffix(rel, ".go") || rel == "go.mod" || rel == "go.sum"
}

// Changed lists the files that differ between two sources: changed,
// added or removed, sorted, each with what happened to it.
func Changed(old, cur Source) []string {
	var out []string
	for n, h := range cur.Files {
		switch oh, ok := old.Files[n]; {
		case !ok:
			out = append(out, n+" (added)")
		case oh != h:
			out = append(out, n+" (changed)")
		}
	}
	for n := range old.Files {
		if _, ok := cur.Files[n]; !ok {
			out = append(out, n+" (removed)")
		}
	}
	sort.Strings(out)
	return out
}

// Hash is the hex sha256 of data.
func Hash(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// SavePlan writes p to root/.smartmigrate/plan.json and returns its path.
// It holds the writer lock while it writes (an apply updates the file's
// fingerprint).
func SavePlan(root string, p SavedPlan) (string, error) {
	lk, err := AcquireLock(root)
	if err != nil {
		return "", err
	}
	defer lk.Release()
	p.Version = FormatVersion
	data, err := encode(p)
	if err != nil {
		return "", fmt.Errorf("plan: %w", err)
	}
	path := filepath.Join(root, Dir, "plan.json")
	if err := WriteFileAtomic(path, data); err != nil {
		return "", err
	}
	return path, nil
}

// LoadPlan reads root/.smartmigrate/plan.json; it returns nil and no error
// when there is none.
func LoadPlan(root string) (*SavedPlan, error) {
	path := filepath.Join(root, Dir, "plan.json")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	p, err := decodePlan(path, data)
	if err != nil {
		return nil, err
	}
	for i, ph := range p.Phases {
		if ph.ID == "" {
			ids := make([]string, len(ph.Units))
			for k, u := range ph.Units {
				ids[k] = u.ID
			}
			p.Phases[i].ID = strategies.PhaseID(ids)
		}
	}
	return &p, nil
}

// decodePlan reads a plan.json of any format up to FormatVersion.
func decodePlan(path string, data []byte) (SavedPlan, error) {
	var v struct {
		Version int `json:"version"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return SavedPlan{}, jsonError(path, data, err)
	}
	if err := checkVersion(path, v.Version); err != nil {
		return SavedPlan{}, err
	}
	if v.Version <= 1 {
		var old savedPlanV1
		if err := json.Unmarshal(data, &old); err != nil {
			return SavedPlan{}, jsonError(path, data, err)
		}
		return old.upgrade(), nil
	}
	var p SavedPlan
	if err := json.Unmarshal(data, &p); err != nil {
		return SavedPlan{}, jsonError(path, data, err)
	}
	return p, nil
}

// WriteFileAtomic writes data to path through a temporary file in the same
// folder and a rename, so readers see the old contents or the new, never a
// mix. It keeps the mode of an existing file. The temporary file is
// .NAME.tmpDIGITS, which Recover removes when a crash leaves it. The file
// and then its folder are synced to disk.
func WriteFileAtomic(path string, data []byte) error {
	tmp, err := prepareFile(path, data)
	if err != nil {
		return err
	}
	defer os.Remove(tmp) // nothing left to remove once renamed
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return syncDir(filepath.Dir(path))
}

// prepareFile writes data to a new temporary file beside path (see
// WriteFileAtomic), with the mode of path if it exists, synced to disk;
// the caller renames it over path or removes it.
func prepareFile(path string, data []byte) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	mode := fs.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+tempSuffix+"*")
	if err != nil {
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	err = tmp.Chmod(mode)
	if _, werr := tmp.Write(data); err == nil {
		err = werr
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("write %s: %w", path, err)
	}
	return tmp.Name(), nil
}
