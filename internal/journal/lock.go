package journal

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// LockName is the lock file below the .smartmigrate folder.
const LockName = "lock"

// Lock is the module's writer lock, .smartmigrate/lock: advisory (flock
// where the system has it), held by whatever writes the tree or the
// journal (apply, revert, recovery), and released by the system when the
// process dies. The file says which process holds it.
type Lock struct {
	root string
	path string
	f    *os.File
	// n counts the Acquires in this process that are not released yet:
	// the lock is re-entrant within a process.
	n int
}

// LockedError is a lock another process holds.
type LockedError struct {
	// Path is the lock file.
	Path string
	// PID and Command are the holder's, as it wrote them in the lock file
	// (0 and "" when it had not written them yet).
	PID     int
	Command string
}

func (e *LockedError) Error() string {
	holder := "another smartmigrate process"
	if e.PID != 0 {
		holder = fmt.Sprintf("process %d (%s)", e.PID, e.Command)
	}
	return fmt.Sprintf("%s is writing this module (it holds %s); wait for it to finish, then run the command again", holder, e.Path)
}

// held are the locks this process holds, by module root.
var held = struct {
	sync.Mutex
	m map[string]*Lock
}{m: map[string]*Lock{}}

// lockKey is the key of root in held.
func lockKey(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		return abs
	}
	return root
}

// AcquireLock takes the writer lock of the module at root, at once or not
// at all: when another process holds it, the error is a *LockedError
// naming it. Within a process the lock is re-entrant; each AcquireLock
// needs its Release.
func AcquireLock(root string) (*Lock, error) {
	held.Lock()
	defer held.Unlock()
	key := lockKey(root)
	if l := held.m[key]; l != nil {
		l.n++
		return l, nil
	}
	path := filepath.Join(root, Dir, LockName)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	f, err := openLocked(path)
	if err != nil {
		return nil, err
	}
	info := fmt.Sprintf("pid %d\ncommand %s\n", os.Getpid(), command())
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(info), 0)
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	l := &Lock{root: root, path: path, f: f, n: 1}
	held.m[key] = l
	return l, nil
}

// openLocked opens path and locks it. The file may be removed by a
// holder releasing it between the open and the lock; then the lock is on
// a file nobody else will see, so it opens the new one and tries again.
func openLocked(path string) (*os.File, error) {
	for range 10 {
		f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o644)
		if errors.Is(err, fs.ErrNotExist) {
			// A holder releasing the lock removed the empty folder.
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				return nil, fmt.Errorf("lock %s: %w", path, err)
			}
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if err := tryLock(f); err != nil {
			f.Close()
			if errors.Is(err, errWouldBlock) {
				return nil, lockedError(path)
			}
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		fi, ferr := f.Stat()
		pi, perr := os.Stat(path)
		if ferr == nil && perr == nil && os.SameFile(fi, pi) {
			return f, nil
		}
		f.Close()
	}
	return nil, lockedError(path)
}

// lockedError reads who holds the lock at path.
func lockedError(path string) *LockedError {
	e := &LockedError{Path: path}
	data, err := os.ReadFile(path)
	if err != nil {
		return e
	}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, " ")
		switch k {
		case "pid":
			e.PID, _ = strconv.Atoi(v)
		case "command":
			e.Command = v
		}
	}
	return e
}

// command is this process's command line, for the lock file.
func command() string {
	args := append([]string{filepath.Base(os.Args[0])}, os.Args[1:]...)
	return strings.Join(args, " ")
}

// Release gives the lock up once every AcquireLock of this process has
// its Release: it removes the lock file (and the .smartmigrate folder
// when that leaves it empty), then unlocks.
func (l *Lock) Release() error {
	if l == nil {
		return nil
	}
	held.Lock()
	defer held.Unlock()
	if l.n--; l.n > 0 {
		return nil
	}
	delete(held.m, lockKey(l.root))
	err := os.Remove(l.path)
	_ = os.Remove(filepath.Dir(l.path)) // only when empty
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("release %s: %w", l.path, err)
	}
	return nil
}

// Holds reports whether this process holds the lock of the module at
// root.
func Holds(root string) bool {
	held.Lock()
	defer held.Unlock()
	return held.m[lockKey(root)] != nil
}

// lockLeft reports whether the lock file exists: a writer holds it, or
// one was killed and left it (the lock died with the process; taking and
// releasing it removes the file).
func lockLeft(root string) bool {
	_, err := os.Lstat(filepath.Join(root, Dir, LockName))
	return err == nil
}
