package journal

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// tempSuffix is what WriteFileAtomic puts between a file's name and the
// random digits of its temporary file: a.go is written as .a.go.tmp123.
const tempSuffix = ".tmp"

// isTemp reports whether name is a temporary file of WriteFileAtomic.
func isTemp(name string) bool {
	if !strings.HasPrefix(name, ".") {
		return false
	}
	i := strings.LastIndex(name, tempSuffix)
	if i <= 1 || i+len(tempSuffix) == len(name) {
		return false
	}
	for _, r := range name[i+len(tempSuffix):] {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isTempOf reports whether name is a temporary file of WriteFileAtomic
// for a file named base.
func isTempOf(name, base string) bool {
	return isTemp(name) && strings.HasPrefix(name, "."+base+tempSuffix) && strings.LastIndex(name, tempSuffix) == len(base)+1
}

// journalDirs are the folders of .smartmigrate that WriteFileAtomic
// writes in.
func journalDirs(root string) []string {
	return []string{filepath.Join(root, Dir), filepath.Join(root, Dir, "phases")}
}

// hasTemps reports whether a crash left temporary files in .smartmigrate.
func hasTemps(root string) bool {
	for _, dir := range journalDirs(root) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if isTemp(e.Name()) {
				return true
			}
		}
	}
	return false
}

// removeTemps removes the temporary files that a writer killed in
// WriteFileAtomic left: in .smartmigrate, and beside each file of p (nil
// when there is no interrupted transaction). Only the lock holder may call
// it: another writer's temporary files are live.
func removeTemps(root string, p *pending) error {
	for _, dir := range journalDirs(root) {
		entries, err := os.ReadDir(dir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
		for _, e := range entries {
			if isTemp(e.Name()) {
				if err := os.Remove(filepath.Join(dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
	}
	if p == nil {
		return nil
	}
	for _, f := range p.Files {
		if checkRel(f.Path) != nil {
			continue
		}
		path := filepath.Join(root, filepath.FromSlash(f.Path))
		entries, err := os.ReadDir(filepath.Dir(path))
		if err != nil {
			continue // a folder the transaction was to create
		}
		for _, e := range entries {
			if isTempOf(e.Name(), filepath.Base(path)) {
				if err := os.Remove(filepath.Join(filepath.Dir(path), e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
		}
	}
	return nil
}
