// Package patch writes file changes as git-style unified diffs, and parses,
// reverses and applies such diffs.
//
// Line diffs come from github.com/sergi/go-diff in line mode; the unified
// format (hunks with three lines of context, merged when their contexts
// overlap or touch, as diff -u and git diff do) is written here, because the
// library's PatchToText is a character-level format that patch tools do not read.
package patch

import (
	"fmt"
	"slices"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// context is the number of unchanged lines shown around each change.
const context = 3

// FileChange is the old and new contents of one file; Path is slash-separated
// and relative to the module root.
type FileChange struct {
	Path string
	Old  []byte // nil: the file is created
	New  []byte // nil: the file is deleted
}

// Unified renders changes as one git-style unified diff: for each file, in
// Path order, "diff --git a/P b/P", "--- a/P" / "+++ b/P" (or /dev/null with
// "new file mode 100644" / "deleted file mode 100644"), hunks with 3 lines of
// context, and "\ No newline at end of file" where needed. Unchanged files are
// omitted; creating or deleting an empty file is a header with no hunks, as
// git writes it. Each Path should appear at most once in changes.
func Unified(changes []FileChange) string {
	sorted := slices.Clone(changes)
	slices.SortStableFunc(sorted, func(a, b FileChange) int { return strings.Compare(a.Path, b.Path) })
	var files []FilePatch
	for _, c := range sorted {
		if (c.Old == nil) == (c.New == nil) && string(c.Old) == string(c.New) {
			continue // unchanged, or neither before nor after
		}
		files = append(files, FilePatch{
			Path:    c.Path,
			Created: c.Old == nil,
			Deleted: c.New == nil,
			Hunks:   hunks(lineDiff(string(c.Old), string(c.New))),
		})
	}
	return format(files)
}

// lineDiff returns the edit script from a to b, one line a step, each with its
// ' ', '-' or '+' prefix and its own line ending (none for a last line without
// one). Within a run of changes, removed lines come before added ones.
func lineDiff(a, b string) []string {
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // always the minimal diff, so that the same input gives the same patch
	ca, cb, lines := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), lines)

	var script, removed, added []string
	flush := func() {
		script = append(append(script, removed...), added...)
		removed, added = removed[:0], added[:0]
	}
	for _, d := range diffs {
		for _, l := range splitLines(d.Text) {
			switch d.Type {
			case diffmatchpatch.DiffEqual:
				flush()
				script = append(script, " "+l)
			case diffmatchpatch.DiffDelete:
				removed = append(removed, "-"+l)
			case diffmatchpatch.DiffInsert:
				added = append(added, "+"+l)
			}
		}
	}
	flush()
	return script
}

// hunks groups an edit script into hunks with context lines around each
// change; changes separated by at most 2*context unchanged lines share a hunk.
func hunks(script []string) []Hunk {
	// oldAt[i] and newAt[i]: how many old and new lines come before script[i].
	oldAt := make([]int, len(script)+1)
	newAt := make([]int, len(script)+1)
	for i, l := range script {
		oldAt[i+1], newAt[i+1] = oldAt[i], newAt[i]
		if l[0] != '+' {
			oldAt[i+1]++
		}
		if l[0] != '-' {
			newAt[i+1]++
		}
	}
	var hs []Hunk
	for i := 0; i < len(script); {
		if script[i][0] == ' ' {
			i++
			continue
		}
		start, last := max(i-context, 0), i
		for j := i + 1; j < len(script) && j-last-1 <= 2*context; j++ {
			if script[j][0] != ' ' {
				last = j
			}
		}
		end := min(last+context+1, len(script))
		h := Hunk{
			OldStart: oldAt[start], OldLines: oldAt[end] - oldAt[start],
			NewStart: newAt[start], NewLines: newAt[end] - newAt[start],
			Lines: script[start:end:end],
		}
		// A range's start is its first line, or the line before an empty range.
		if h.OldLines > 0 {
			h.OldStart++
		}
		if h.NewLines > 0 {
			h.NewStart++
		}
		hs = append(hs, h)
		i = end
	}
	return hs
}

// splitLines splits s after each "\n"; the last line may have no "\n".
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// format writes files as a unified diff. A file with no hunks that is neither
// created nor deleted has nothing to write and is left out.
func format(files []FilePatch) string {
	var b strings.Builder
	for _, f := range files {
		if len(f.Hunks) == 0 && !f.Created && !f.Deleted {
			continue
		}
		fmt.Fprintf(&b, "diff --git %s %s\n", quote("a/"+f.Path), quote("b/"+f.Path))
		oldName, newName := label("a/"+f.Path), label("b/"+f.Path)
		switch {
		case f.Created:
			b.WriteString("new file mode 100644\n")
			oldName = "/dev/null"
		case f.Deleted:
			b.WriteString("deleted file mode 100644\n")
			newName = "/dev/null"
		}
		if len(f.Hunks) == 0 {
			continue // an empty file created or deleted: git writes no ---/+++ lines
		}
		fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
		for _, h := range f.Hunks {
			b.WriteString(h.Header())
			b.WriteByte('\n')
			for _, l := range h.Lines {
				b.WriteString(l)
				if !strings.HasSuffix(l, "\n") {
					b.WriteString("\n\\ No newline at end of file\n")
				}
			}
		}
	}
	return b.String()
}

// Header returns the hunk's "@@ -OldStart,OldLines +NewStart,NewLines @@"
// line, without a line ending; like git, it leaves out a count of 1.
func (h Hunk) Header() string {
	return "@@ -" + lineRange(h.OldStart, h.OldLines) + " +" + lineRange(h.NewStart, h.NewLines) + " @@"
}

func lineRange(start, n int) string {
	if n == 1 {
		return fmt.Sprint(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// label is name as the ---/+++ lines show it: quoted if need be and, like
// git, followed by a tab if it holds a space, so that patch(1) reads it whole.
func label(name string) string {
	if strings.Contains(name, " ") {
		return quote(name) + "\t"
	}
	return quote(name)
}

// quote returns name as git writes a path: unchanged unless it holds a
// control character, a byte outside ASCII, '"' or '\\'; then C-quoted, with
// octal escapes for bytes outside ASCII.
func quote(name string) string {
	if !strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r >= 0x7f || r == '"' || r == '\\' }) {
		return name
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(name); i++ {
		c := name[i]
		if j := strings.IndexByte(escapes, c); j >= 0 {
			b.WriteByte('\\')
			b.WriteByte(escaped[j])
		} else if c < 0x20 || c >= 0x7f {
			fmt.Fprintf(&b, "\\%03o", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// escapes[i] is written as a backslash and escaped[i] in quoted paths.
const (
	escapes = "\a\b\t\n\v\f\r\"\\"
	escaped = `abtnvfr"\`
)
