package journal

import (
	"bytes"
	"os"
	"slices"
	"sync"
)

// Staging is the first step of a transaction, writing the contents
// before and after of its files to the staging folder, started before
// the transaction is known to happen: an apply stages the phase while
// its checks run, since staging waits on the disk and the checks on the
// processor. Nothing relies on a staging folder until pending.json
// names it: recovery ignores it, and the next Commit or Stage clears it.
type Staging struct {
	root  string
	files []FileWrite
	patch string
	lock  *Lock
	done  chan struct{}
	err   error
	once  sync.Once
}

// Stage takes the module's writer lock (a *LockedError when another
// process has it) and starts staging files and patch in the background.
// A Commit whose Txn.Staged is the result and whose files and patch are
// the same uses what it staged; every Staging must end with Discard,
// which is a no-op after such a Commit.
func Stage(root string, files []FileWrite, patch string) (*Staging, error) {
	lk, err := AcquireLock(root)
	if err != nil {
		return nil, err
	}
	s := &Staging{root: root, files: slices.Clone(files), patch: patch, lock: lk, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		s.err = stage(root, s.files, true, s.patch)
	}()
	return s, nil
}

// took waits for s, reports whether it staged what t commits in the
// module at root, and ends s; a nil s took nothing.
func (s *Staging) took(root string, t Txn) bool {
	if s == nil {
		return false
	}
	<-s.done
	ok := s.err == nil && lockKey(s.root) == lockKey(root) && t.PatchPath != "" && s.patch == t.Patch &&
		slices.EqualFunc(s.files, t.Files, sameWrite)
	s.end(false)
	return ok
}

// Discard waits for s and removes what it staged, unless a Commit took
// it; it releases the writer lock Stage took.
func (s *Staging) Discard() {
	<-s.done
	s.end(true)
}

func (s *Staging) end(remove bool) {
	s.once.Do(func() {
		if remove {
			os.RemoveAll(stagingDir(s.root))
		}
		s.lock.Release()
	})
}

func sameWrite(a, b FileWrite) bool {
	return a.Path == b.Path && (a.Old == nil) == (b.Old == nil) && (a.New == nil) == (b.New == nil) &&
		bytes.Equal(a.Old, b.Old) && bytes.Equal(a.New, b.New)
}
