package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/parallel"
)

// FileWrite is one file a transaction changes. Path is slash-separated and
// relative to the module root; a nil Old is a file that does not exist yet,
// a nil New one the transaction deletes.
type FileWrite struct {
	Path string
	Old  []byte
	New  []byte
}

// Txn is a set of file writes that lands whole or not at all, with the
// journal state that records it.
type Txn struct {
	// Op says what the transaction does, for messages: "apply phase 3".
	Op    string
	Files []FileWrite
	// Journal is the journal to write once every file is in place.
	Journal *Journal
	// PatchPath and Patch, when set, are a patch file to write with the
	// journal (PatchPath relative to the .smartmigrate folder).
	PatchPath string
	Patch     string
	// Staged, when set, is the staging of these files and patch started
	// ahead (see Stage); Commit then does not write them again.
	Staged *Staging
}

// pending is .smartmigrate/pending.json: a transaction whose files are
// being written. Its file contents are in .smartmigrate/staging: new/PATH
// (the contents after) and old/PATH (before).
type pending struct {
	Op        string     `json:"op"`
	Files     []FileHash `json:"files"`
	Journal   *Journal   `json:"journal"`
	PatchPath string     `json:"patchPath,omitempty"`
}

// afterRename, when set by a test, runs after the i-th file of a
// transaction is in place; an error stops the transaction there, as a
// crash would.
var afterRename func(i int) error

func stagingDir(root string) string  { return filepath.Join(root, Dir, "staging") }
func pendingPath(root string) string { return filepath.Join(root, Dir, "pending.json") }

// Commit writes t's files and then its journal so that a crash at any
// instant leaves either the old tree or the new one once Recover has run:
// the contents before and after are staged first, then pending.json is
// written, then each file is replaced atomically, then the journal (and
// the patch, and the saved plan's fingerprint) is written, and pending.json
// and the staging folder are removed.
//
// It holds the module's writer lock (see AcquireLock) while it writes.
func Commit(root string, t Txn) error {
	lk, err := AcquireLock(root)
	if err != nil {
		return fmt.Errorf("%s: %w", t.Op, err)
	}
	defer lk.Release()
	p := pending{Op: t.Op, Journal: t.Journal, PatchPath: t.PatchPath}
	for _, f := range t.Files {
		if err := checkRel(f.Path); err != nil {
			return err
		}
		p.Files = append(p.Files, FileHash{Path: f.Path, Before: hashOrEmpty(f.Old), After: hashOrEmpty(f.New)})
	}
	if !t.Staged.took(root, t) {
		if err := stage(root, t.Files, t.PatchPath != "", t.Patch); err != nil {
			return fmt.Errorf("%s: %w", t.Op, err)
		}
	}
	data, err := encode(p)
	if err != nil {
		return err
	}
	if err := WriteFileAtomic(pendingPath(root), data); err != nil {
		return fmt.Errorf("%s: %w", t.Op, err)
	}
	if err := putAll(root, t.Files); err != nil {
		var blocked *blockedError
		if errors.As(err, &blocked) {
			return abort(root, &p, blocked)
		}
		return err
	}
	return finish(root, &p)
}

// stage empties the staging folder and writes to it the contents of
// files before and after, and the patch when hasPatch, each synced, and
// then the folders.
func stage(root string, files []FileWrite, hasPatch bool, patch string) error {
	if _, err := os.Lstat(pendingPath(root)); !errors.Is(err, fs.ErrNotExist) {
		// Its staged contents are what recovery needs.
		return fmt.Errorf("an interrupted write is to be recovered first (%s)", pendingPath(root))
	}
	dir := stagingDir(root)
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("clear staging: %w", err)
	}
	var staged []stagedFile
	for _, f := range files {
		if err := checkRel(f.Path); err != nil {
			return err
		}
		if f.Old != nil {
			staged = append(staged, stagedFile{filepath.Join(dir, "old", filepath.FromSlash(f.Path)), f.Old})
		}
		if f.New != nil {
			staged = append(staged, stagedFile{filepath.Join(dir, "new", filepath.FromSlash(f.Path)), f.New})
		}
	}
	if hasPatch {
		staged = append(staged, stagedFile{filepath.Join(dir, "patch"), []byte(patch)})
	}
	// Each staged file waits for its own sync; several at a time let the
	// disk take them together. Nothing relies on them before pending.json.
	if err := parallel.ForEach(len(staged), stagingWorkers, func(i int) error {
		return writeFile(staged[i].path, staged[i].data)
	}); err != nil {
		return fmt.Errorf("stage: %w", err)
	}
	if err := syncStaging(root); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("stage: %w", err)
	}
	return nil
}

// putAll puts the files of a transaction in place: their new contents
// are written and synced side by side, then renamed over the files one
// by one, in order, and each folder is synced once at the end (until
// finish removes pending.json, recovery can still settle any state). A
// file that cannot be put in place is a *blockedError.
func putAll(root string, files []FileWrite) error {
	tmps := make([]string, len(files))
	defer func() {
		for _, tmp := range tmps {
			if tmp != "" {
				os.Remove(tmp)
			}
		}
	}()
	if err := parallel.ForEach(len(files), stagingWorkers, func(i int) error {
		var err error
		if tmps[i], err = prepare(root, files[i].Path, files[i].New); err != nil {
			return &blockedError{Path: files[i].Path, Err: err}
		}
		return nil
	}); err != nil {
		return err
	}
	dirs := map[string]bool{}
	for i, f := range files {
		if err := place(root, f.Path, tmps[i]); err != nil {
			return &blockedError{Path: f.Path, Err: err}
		}
		tmps[i] = ""
		dirs[filepath.Dir(filepath.Join(root, filepath.FromSlash(f.Path)))] = true
		if afterRename != nil {
			if err := afterRename(i); err != nil {
				return err
			}
		}
	}
	synced := slices.Sorted(maps.Keys(dirs))
	return parallel.ForEach(len(synced), stagingWorkers, func(i int) error { return syncDir(synced[i]) })
}

// prepare is the first half of put: it refuses a symbolic link and
// writes data (nil: the file goes) to a synced temporary file beside
// root/rel, whose name it returns ("" for nil data).
func prepare(root, rel string, data []byte) (string, error) {
	path := filepath.Join(root, filepath.FromSlash(rel))
	if err := noLink(path); err != nil || data == nil {
		return "", err
	}
	return prepareFile(path, data)
}

// place is the second half of put: it renames tmp over root/rel, or
// removes root/rel when tmp is "".
func place(root, rel, tmp string) error {
	if failPut != nil {
		if err := failPut(rel); err != nil {
			return err
		}
	}
	path := filepath.Join(root, filepath.FromSlash(rel))
	if tmp == "" {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		return nil
	}
	return os.Rename(tmp, path)
}

// stagedFile is a file of the staging area and its contents.
type stagedFile struct {
	path string
	data []byte
}

// stagingWorkers is how many staged files are written and synced at a
// time: the work waits on the disk, not on a processor.
const stagingWorkers = 8

// failPut, when set by a test, runs before each file is put in place
// (by a transaction, or by recovery); an error fails that file as a
// failed rename would.
var failPut func(rel string) error

// blockedError is a file of a transaction that could not be put in place.
type blockedError struct {
	Path string
	Err  error
}

func (e *blockedError) Error() string {
	return fmt.Sprintf("%s could not be replaced: %v", e.Path, e.Err)
}

func (e *blockedError) Unwrap() error { return e.Err }

// abort undoes a transaction that blocked on a file: it puts back the
// contents before of the files already replaced and removes pending.json
// and the staging folder, so the tree is as it was. When that fails too,
// pending.json stays for the next command's recovery.
func abort(root string, p *pending, blocked *blockedError) error {
	cur, err := currentHashes(root, p)
	if err == nil {
		_, err = rollBack(root, p, cur)
	}
	if err != nil {
		return fmt.Errorf("%s: %w; putting the other files back failed too: %v (run any smartmigrate command to undo it)", p.Op, blocked, err)
	}
	return fmt.Errorf("%s: %w; nothing was changed", p.Op, blocked)
}

// finish writes what records a transaction whose files are all in place,
// then removes pending.json and the staging folder. It can run again after
// a crash with the same result.
func finish(root string, p *pending) error {
	if p.PatchPath != "" {
		data, err := os.ReadFile(filepath.Join(stagingDir(root), "patch"))
		if err != nil {
			return fmt.Errorf("%s: staged patch: %w", p.Op, err)
		}
		if err := WriteFileAtomic(filepath.Join(root, Dir, filepath.FromSlash(p.PatchPath)), data); err != nil {
			return err
		}
	}
	if p.Journal != nil {
		if err := p.Journal.Save(root); err != nil {
			return err
		}
	}
	if err := updatePlanSource(root, p.Files); err != nil {
		return err
	}
	if err := os.Remove(pendingPath(root)); err != nil && !os.IsNotExist(err) {
		return err
	}
	return os.RemoveAll(stagingDir(root))
}

// updatePlanSource records in the saved plan's fingerprint, if there is a
// saved plan, the changes of a transaction, so that the plan still matches
// the tree that smartmigrate itself changed and still detects other edits.
// A file created or deleted counts only when the fingerprint covers it.
func updatePlanSource(root string, files []FileHash) error {
	sp, err := LoadPlan(root)
	if err != nil || sp == nil {
		return err
	}
	if sp.Source.Files == nil {
		sp.Source.Files = map[string]string{}
	}
	for _, f := range files {
		if !inFingerprint(f.Path) {
			continue
		}
		if f.After == "" {
			delete(sp.Source.Files, f.Path)
		} else {
			sp.Source.Files[f.Path] = f.After
		}
	}
	sp.Source.Fingerprint = sum(sp.Source.Files)
	_, err = SavePlan(root, *sp)
	return err
}

// Recover finishes or undoes a transaction that a crash interrupted. When
// every file has its contents before or after the transaction and all the
// contents after are staged, it finishes it (rolls forward); otherwise it
// puts back the contents before (rolls back). It returns what it did, ""
// when there was nothing to do. A file that has neither its contents before
// nor after is an error: it changed since, and a person must decide.
//
// It takes the module's writer lock only when there is something to
// recover; when another process holds it, that process is writing, and
// the error is a *LockedError naming it.
//
// It also removes the temporary files a killed writer left, beside the
// transaction's files and in .smartmigrate, and its lock file (the lock
// itself died with it).
func Recover(root string) (string, error) {
	stopped := interrupted(root)
	if !stopped && !hasTemps(root) && !lockLeft(root) {
		return "", nil
	}
	lk, err := AcquireLock(root)
	if err != nil {
		if !stopped {
			return "", nil // the holder's temporary files are live
		}
		return "", err
	}
	defer lk.Release()
	p, err := readPending(root)
	if err != nil {
		return "", err
	}
	if err := removeTemps(root, p); err != nil {
		return "", fmt.Errorf("remove temporary files: %w", err)
	}
	if p == nil {
		return "", nil
	}
	cur, err := currentHashes(root, p)
	if err != nil {
		return "", err
	}
	if canRollForward(root, p) {
		msg, err := rollForward(root, p, cur)
		var blocked *blockedError
		if !errors.As(err, &blocked) {
			return msg, err
		}
		// A file cannot be replaced (a read-only folder, an immutable
		// file): the whole before-state is the one left to reach.
		if cur, err = currentHashes(root, p); err != nil {
			return "", err
		}
		msg, err = rollBack(root, p, cur)
		if err != nil {
			return "", fmt.Errorf("interrupted %s: cannot finish it (%v) nor roll it back: %w", p.Op, blocked, err)
		}
		return fmt.Sprintf("could not finish the interrupted %s (%v), so %s", p.Op, blocked, msg), nil
	}
	return rollBack(root, p, cur)
}

// interrupted reports whether a transaction left pending.json or a
// staging folder behind (or is writing them now).
func interrupted(root string) bool {
	for _, p := range []string{pendingPath(root), stagingDir(root)} {
		if _, err := os.Lstat(p); !errors.Is(err, fs.ErrNotExist) {
			return true
		}
	}
	return false
}

// readPending reads pending.json; it returns nil when there is none, after
// removing what a crash while staging left (the tree was not touched).
func readPending(root string) (*pending, error) {
	data, err := os.ReadFile(pendingPath(root))
	if os.IsNotExist(err) {
		return nil, os.RemoveAll(stagingDir(root))
	}
	if err != nil {
		return nil, fmt.Errorf("read interrupted transaction: %w", err)
	}
	var p pending
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%w\n%s", jsonError(pendingPath(root), data, err), damagedPendingHelp(root))
	}
	return &p, nil
}

// damagedPendingHelp says what to do when pending.json cannot be read:
// the transaction it records may have left a mixed tree, and the contents
// before it are staged.
func damagedPendingHelp(root string) string {
	return fmt.Sprintf(`The record of an interrupted apply or revert is damaged, so smartmigrate cannot tell how far it got.
The contents before it are in %[1]s/old and after it in %[1]s/new. To roll it back
(files it created, which have no old copy, stay; remove them by hand), run in %[2]s:
  cp -R %[3]s/staging/old/. . && rm -r %[3]s/pending.json %[3]s/staging
or to keep the tree as it is: rm -r %[3]s/pending.json %[3]s/staging`, stagingDir(root), root, Dir)
}

// currentHashes returns the hash of each file of p as it is now; it is an
// error when a file is neither as it was before nor as it was to be after.
func currentHashes(root string, p *pending) ([]string, error) {
	cur := make([]string, len(p.Files))
	for i, f := range p.Files {
		if err := checkRel(f.Path); err != nil {
			return nil, err
		}
		h, err := hashFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, err
		}
		if h != f.Before && h != f.After {
			return nil, fmt.Errorf("interrupted %s: %s is neither as it was before nor as it was to be after; the contents are in %s (old/ and new/); fix the file, then delete %s",
				p.Op, f.Path, stagingDir(root), pendingPath(root))
		}
		cur[i] = h
	}
	return cur, nil
}

// canRollForward reports whether every content after p (and its patch) is
// staged.
func canRollForward(root string, p *pending) bool {
	stage := stagingDir(root)
	for _, f := range p.Files {
		if f.After == "" {
			continue
		}
		if sh, _ := hashFile(stagedPath(root, "new", f.Path)); sh != f.After {
			return false
		}
	}
	if p.PatchPath != "" {
		if _, err := os.Stat(filepath.Join(stage, "patch")); err != nil {
			return false
		}
	}
	return true
}

// rollForward puts the staged contents after p in place of the files not
// yet replaced (cur are their hashes now) and finishes p.
func rollForward(root string, p *pending, cur []string) (string, error) {
	after := func(f FileHash) string { return f.After }
	read := func(f FileHash) ([]byte, error) { return os.ReadFile(stagedPath(root, "new", f.Path)) }
	if err := restore(root, p, cur, after, read); err != nil {
		return "", err
	}
	if err := finish(root, p); err != nil {
		return "", err
	}
	return fmt.Sprintf("finished the interrupted %s (%d %s)", p.Op, len(p.Files), plural(len(p.Files), "file", "files")), nil
}

// rollBack gives every file of p that changed (cur are their hashes now)
// its staged contents before p, then removes pending.json and the staging
// folder.
func rollBack(root string, p *pending, cur []string) (string, error) {
	before := func(f FileHash) string { return f.Before }
	read := func(f FileHash) ([]byte, error) {
		path := stagedPath(root, "old", f.Path)
		data, err := os.ReadFile(path)
		if err != nil || Hash(data) != f.Before {
			return nil, fmt.Errorf("interrupted %s: cannot roll back %s: its staged contents are missing or changed (%s)", p.Op, f.Path, path)
		}
		return data, nil
	}
	if err := restore(root, p, cur, before, read); err != nil {
		return "", err
	}
	if err := os.Remove(pendingPath(root)); err != nil {
		return "", err
	}
	if err := os.RemoveAll(stagingDir(root)); err != nil {
		return "", err
	}
	return fmt.Sprintf("rolled back the interrupted %s (%d %s)", p.Op, len(p.Files), plural(len(p.Files), "file", "files")), nil
}

// restore gives each file of p whose hash now (cur) is not want(f) the
// contents read(f) returns, or removes it when want(f) is "" (the file is
// not to exist).
func restore(root string, p *pending, cur []string, want func(FileHash) string, read func(FileHash) ([]byte, error)) error {
	for i, f := range p.Files {
		if cur[i] == want(f) {
			continue
		}
		var data []byte
		if want(f) != "" {
			var err error
			if data, err = read(f); err != nil {
				return err
			}
		}
		if err := put(root, f.Path, data); err != nil {
			return &blockedError{Path: f.Path, Err: err}
		}
	}
	return nil
}

// stagedPath is the staged copy of rel: side is "old" (the contents
// before the transaction) or "new" (after).
func stagedPath(root, side, rel string) string {
	return filepath.Join(stagingDir(root), side, filepath.FromSlash(rel))
}

// put replaces root/rel with data atomically; nil data removes it. It
// refuses a path that is a symbolic link: replacing the link would change
// what the module means, and writing through it could reach outside.
func put(root, rel string, data []byte) error {
	tmp, err := prepare(root, rel, data)
	if err != nil {
		return err
	}
	if err := place(root, rel, tmp); err != nil {
		if tmp != "" {
			os.Remove(tmp)
		}
		return err
	}
	return syncDir(filepath.Dir(filepath.Join(root, filepath.FromSlash(rel))))
}

// noLink refuses a path that is a symbolic link.
func noLink(path string) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return fmt.Errorf("%s is a symbolic link; smartmigrate never writes through a link", path)
	}
	return nil
}

// writeFile writes a staged file and syncs it to disk (its folder is
// synced once everything is staged, see syncStaging).
func writeFile(path string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return f.Close()
}

// syncStaging syncs every folder of the staging area, so that the staged
// files pending.json relies on are on disk before it is written.
func syncStaging(root string) error {
	return filepath.WalkDir(stagingDir(root), func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return syncDir(path)
	})
}

// hashFile is the Hash of a file's contents, "" when it does not exist.
func hashFile(path string) (string, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return Hash(data), nil
}

// HashFile is the Hash of root/rel, "" when the file does not exist.
func HashFile(root, rel string) (string, error) {
	return hashFile(filepath.Join(root, filepath.FromSlash(rel)))
}

func hashOrEmpty(data []byte) string {
	if data == nil {
		return ""
	}
	return Hash(data)
}

// checkRel refuses a path that would leave the module root.
func checkRel(rel string) error {
	if rel == "" || filepath.IsAbs(rel) || strings.HasPrefix(rel, "/") || rel != filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel))) || rel == ".." || strings.HasPrefix(rel, "../") {
		return fmt.Errorf("journal: %q is not a clean path relative to the module root", rel)
	}
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
