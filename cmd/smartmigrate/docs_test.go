package main

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/spf13/cobra/doc"
)

// docsDir holds the Markdown pages and the man pages generated from the
// command tree: what --help says, for reading on the web and with man.
const docsDir = "doc"

// docsDate dates the man pages; it changes only when their text does, so
// that a regeneration without changes is byte-identical.
var docsDate = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)

// TestDocsInSync regenerates doc/ (Markdown with cobra/doc's
// GenMarkdownTree, man pages with GenManTree) and fails when it differs
// from what is committed: a flag or a help text changed without the docs.
// go test ./cmd/smartmigrate -update rewrites them.
func TestDocsInSync(t *testing.T) {
	got := t.TempDir()
	if err := writeDocs(got); err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := os.RemoveAll(docsDir); err != nil {
			t.Fatal(err)
		}
		if err := writeDocs(docsDir); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, have := readTree(t, docsDir), readTree(t, got)
	for name, data := range have {
		if w, ok := want[name]; !ok {
			t.Errorf("%s/%s is missing (go test ./cmd/smartmigrate -update)", docsDir, name)
		} else if w != data {
			t.Errorf("%s/%s is out of date (go test ./cmd/smartmigrate -update)", docsDir, name)
		}
	}
	for name := range want {
		if _, ok := have[name]; !ok {
			t.Errorf("%s/%s documents nothing the command tree has any more (go test ./cmd/smartmigrate -update)", docsDir, name)
		}
	}
}

// writeDocs writes the Markdown pages to dir/md, the man pages to
// dir/man and the JSON schema's page to dir/json.md.
func writeDocs(dir string) error {
	root := newRootCmd(&globals{Dir: ".", Stdout: os.Stdout, Stderr: os.Stderr})
	root.DisableAutoGenTag = true
	for _, sub := range []string{"md", "man"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	if err := doc.GenMarkdownTree(root, filepath.Join(dir, "md")); err != nil {
		return err
	}
	header := &doc.GenManHeader{Title: "SMARTMIGRATE", Section: "1", Source: "smartmigrate", Manual: "smartmigrate manual", Date: &docsDate}
	if err := doc.GenManTree(root, header, filepath.Join(dir, "man")); err != nil {
		return err
	}
	page, err := schemaDoc("schema")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "json.md"), page, 0o644)
}
