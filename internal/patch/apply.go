package patch

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strconv"
	"strings"
)

// FilePatch is one file's section of a parsed diff.
type FilePatch struct {
	Path    string // slash-separated and relative: the file's path (its old path if it is deleted)
	Created bool   // the old side is /dev/null
	Deleted bool   // the new side is /dev/null
	Hunks   []Hunk
}

// Hunk is one "@@ -OldStart,OldLines +NewStart,NewLines @@" section of a
// file's diff. A start is the range's first line, counted from 1, or for an
// empty range the line before it.
type Hunk struct {
	OldStart, OldLines int
	NewStart, NewLines int
	// Lines are the hunk's lines, each with its ' ', '-' or '+' prefix and
	// its line ending as it is in the file ("\n", or "\r\n" for a CRLF line);
	// a line that the diff marks "\ No newline at end of file" has none.
	Lines []string
}

// HunkError reports a hunk that does not apply: its context and removed
// lines are not in the file, or not where the hunk says they must be.
type HunkError struct {
	Path   string // the file
	Index  int    // the hunk's place in the file's section of the diff, from 1
	Header string // the hunk's "@@ ... @@" line
}

// Error returns "path: hunk N (@@ ... @@) does not apply".
func (e *HunkError) Error() string {
	return fmt.Sprintf("%s: hunk %d (%s) does not apply", e.Path, e.Index, e.Header)
}

// Parse reads a unified diff (as Unified writes it, and as git diff writes it
// for plain text files). Lines outside file sections and hunks, such as git's
// "index" lines or a commit message, are ignored. Renames, copies and binary
// patches are errors, and so is a path that is not relative and clean.
func Parse(diff string) ([]FilePatch, error) { return parse(diff, false) }

// ParseGit is Parse for the output of git diff, renames included: a
// renamed file's section is its new path's.
func ParseGit(diff string) ([]FilePatch, error) { return parse(diff, true) }

func parse(diff string, renames bool) ([]FilePatch, error) {
	lines := strings.Split(diff, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var files []FilePatch
	var cur *section
	finish := func() error {
		if cur == nil {
			return nil
		}
		f, err := cur.file()
		if err != nil {
			return fmt.Errorf("parsing diff: line %d: %w", cur.line, err)
		}
		files, cur = append(files, f), nil
		return nil
	}
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "diff --git "):
			if err := finish(); err != nil {
				return nil, err
			}
			cur = &section{line: i + 1, gitPath: gitPath(l[len("diff --git "):]), renames: renames}
		case strings.HasPrefix(l, "--- ") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "+++ "):
			if cur == nil || cur.named {
				if err := finish(); err != nil { // a plain diff -u section: no "diff --git" line
					return nil, err
				}
				cur = &section{line: i + 1, renames: renames}
			}
			var err error
			if cur.oldName, err = name(l[len("--- "):], "a/"); err == nil {
				cur.newName, err = name(lines[i+1][len("+++ "):], "b/")
			}
			if err != nil {
				return nil, fmt.Errorf("parsing diff: line %d: %w", i+1, err)
			}
			cur.named = true
			i++
		case strings.HasPrefix(l, "@@ "):
			if cur == nil || !cur.named {
				return nil, fmt.Errorf("parsing diff: line %d: hunk without ---/+++ lines before it", i+1)
			}
			h, next, err := parseHunk(lines, i)
			if err != nil {
				return nil, fmt.Errorf("parsing diff: %w", err)
			}
			cur.Hunks = append(cur.Hunks, h)
			i = next - 1
		case cur != nil && !cur.named:
			if err := cur.header(l); err != nil {
				return nil, fmt.Errorf("parsing diff: line %d: %w", i+1, err)
			}
		}
	}
	if err := finish(); err != nil {
		return nil, err
	}
	return files, nil
}

// section is a file's section of a diff while it is read.
type section struct {
	FilePatch
	line             int    // the section's first line, for errors
	gitPath          string // from "diff --git a/P b/P"; "" if it cannot be read
	named            bool   // the ---/+++ lines have been read
	oldName, newName string // from them, "" for /dev/null
	renames          bool   // a rename is read as the new file
	renameTo         string // from "rename to P"
}

// header reads a line of git's extended header, between "diff --git" and "---".
func (s *section) header(l string) error {
	switch {
	case strings.HasPrefix(l, "new file mode "):
		s.Created = true
	case strings.HasPrefix(l, "deleted file mode "):
		s.Deleted = true
	case strings.HasPrefix(l, "rename "), strings.HasPrefix(l, "copy "):
		if !s.renames {
			return fmt.Errorf("%q: renames and copies are not supported", l)
		}
		if to, ok := strings.CutPrefix(l, "rename to "); ok {
			s.renameTo = to
		}
	case strings.HasPrefix(l, "GIT binary patch"), strings.HasPrefix(l, "Binary files "):
		return fmt.Errorf("%q: binary patches are not supported", l)
	}
	return nil
}

// file checks the section and returns it.
func (s *section) file() (FilePatch, error) {
	f := s.FilePatch
	if s.named {
		switch {
		case s.oldName == "" && s.newName == "":
			return f, errors.New("both sides are /dev/null")
		case s.oldName == "":
			f.Created, f.Path = true, s.newName
		case s.newName == "":
			f.Deleted, f.Path = true, s.oldName
		case s.oldName != s.newName && !s.renames:
			return f, fmt.Errorf("%s -> %s: renames are not supported", s.oldName, s.newName)
		case f.Created || f.Deleted:
			return f, fmt.Errorf("%s: the file is created or deleted but neither side is /dev/null", s.oldName)
		default:
			f.Path = s.newName
		}
	} else if f.Path = s.gitPath; s.renameTo != "" {
		f.Path = s.renameTo
	}
	switch {
	case f.Created && f.Deleted:
		return f, fmt.Errorf("%s: the file is both created and deleted", f.Path)
	case !fs.ValidPath(f.Path) || f.Path == ".":
		return f, fmt.Errorf("%q is not a clean relative slash-separated path", f.Path)
	}
	return f, nil
}

// name reads the file name of a ---/+++ line, without the line's "--- " or
// "+++ " and without prefix ("a/" or "b/"); /dev/null is "".
func name(s, prefix string) (string, error) {
	if strings.HasPrefix(s, `"`) {
		var err error
		if s, _, err = unquote(s); err != nil {
			return "", err
		}
	} else {
		s, _, _ = strings.Cut(s, "\t") // a timestamp, or git's tab after a name with a space
	}
	if s == "/dev/null" {
		return "", nil
	}
	return strings.TrimPrefix(s, prefix), nil
}

// gitPath reads the path in "a/P b/P", what follows "diff --git "; it returns
// "" when the two paths differ or cannot be told apart.
func gitPath(s string) string {
	if strings.HasPrefix(s, `"`) {
		a, rest, err := unquote(s)
		if err != nil || !strings.HasPrefix(rest, ` "`) {
			return ""
		}
		b, rest, err := unquote(rest[1:])
		if err != nil || rest != "" || a[min(2, len(a)):] != b[min(2, len(b)):] {
			return ""
		}
		return strings.TrimPrefix(b, "b/")
	}
	n := (len(s) - len("a/ b/")) / 2
	if n <= 0 || len(s) != 2*n+len("a/ b/") || s[:2] != "a/" || s[2+n:5+n] != " b/" || s[2:2+n] != s[5+n:] {
		return ""
	}
	return s[5+n:]
}

// unquote reads the C-quoted string at the start of s, as git quotes paths,
// and returns it and the rest of s.
func unquote(s string) (string, string, error) {
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"':
			return b.String(), s[i+1:], nil
		case c != '\\':
			b.WriteByte(c)
		case i+1 < len(s) && strings.IndexByte(escaped, s[i+1]) >= 0:
			b.WriteByte(escapes[strings.IndexByte(escaped, s[i+1])])
			i++
		case i+3 < len(s):
			n, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
			if err != nil {
				return "", "", fmt.Errorf("bad escape in quoted path %s", s)
			}
			b.WriteByte(byte(n))
			i += 3
		default:
			return "", "", fmt.Errorf("bad escape in quoted path %s", s)
		}
	}
	return "", "", fmt.Errorf("unterminated quoted path %s", s)
}

// parseHunk reads the hunk whose header is lines[i] and returns it and the
// index of the line after it.
func parseHunk(lines []string, i int) (Hunk, int, error) {
	h, err := parseHeader(lines[i])
	if err != nil {
		return h, 0, fmt.Errorf("line %d: %w", i+1, err)
	}
	start := i + 1
	oldLeft, newLeft := h.OldLines, h.NewLines
	j := i + 1
	for ; oldLeft > 0 || newLeft > 0; j++ {
		if j == len(lines) {
			return h, 0, fmt.Errorf("line %d: hunk %s ends early", start-1, h.Header())
		}
		l := lines[j]
		if strings.HasPrefix(l, `\`) {
			if err := h.noNewline(); err != nil {
				return h, 0, fmt.Errorf("line %d: %w", j+1, err)
			}
			continue
		}
		if l == "" {
			l = " " // an empty context line whose space was stripped
		}
		switch l[0] {
		case ' ':
			oldLeft--
			newLeft--
		case '-':
			oldLeft--
		case '+':
			newLeft--
		default:
			return h, 0, fmt.Errorf("line %d: %q is not a line of hunk %s", j+1, l, h.Header())
		}
		if oldLeft < 0 || newLeft < 0 {
			return h, 0, fmt.Errorf("line %d: hunk %s has more lines than its header says", j+1, h.Header())
		}
		h.Lines = append(h.Lines, l+"\n")
	}
	if j < len(lines) && strings.HasPrefix(lines[j], `\`) {
		if err := h.noNewline(); err != nil {
			return h, 0, fmt.Errorf("line %d: %w", j+1, err)
		}
		j++
	}
	// Only a file's last line can lack a line ending.
	var oldEnded, newEnded bool
	for _, l := range h.Lines {
		inOld, inNew := l[0] != '+', l[0] != '-'
		if inOld && oldEnded || inNew && newEnded {
			return h, 0, fmt.Errorf("line %d: hunk %s has lines after the end of the file", start-1, h.Header())
		}
		if !strings.HasSuffix(l, "\n") {
			oldEnded, newEnded = oldEnded || inOld, newEnded || inNew
		}
	}
	return h, j, nil
}

// noNewline handles a "\ No newline at end of file" marker: the line before
// it has no line ending.
func (h *Hunk) noNewline() error {
	last := len(h.Lines) - 1
	if last < 0 || !strings.HasSuffix(h.Lines[last], "\n") || len(h.Lines[last]) == 2 {
		return errors.New(`"\ No newline at end of file" does not follow a line of text`)
	}
	h.Lines[last] = strings.TrimSuffix(h.Lines[last], "\n")
	return nil
}

// parseHeader reads "@@ -OldStart[,OldLines] +NewStart[,NewLines] @@[ text]".
func parseHeader(l string) (Hunk, error) {
	var h Hunk
	rest, ok := strings.CutPrefix(l, "@@ -")
	ranges, _, ok2 := strings.Cut(rest, " @@")
	oldRange, newRange, ok3 := strings.Cut(ranges, " +")
	if !ok || !ok2 || !ok3 {
		return h, fmt.Errorf("bad hunk header %q", l)
	}
	var err1, err2 error
	h.OldStart, h.OldLines, err1 = parseRange(oldRange)
	h.NewStart, h.NewLines, err2 = parseRange(newRange)
	if err := errors.Join(err1, err2); err != nil {
		return h, fmt.Errorf("bad hunk header %q: %w", l, err)
	}
	return h, nil
}

// parseRange reads "start[,count]"; count is 1 if left out.
func parseRange(s string) (start, count int, err error) {
	startText, countText, hasCount := strings.Cut(s, ",")
	n, err := strconv.ParseUint(startText, 10, 31)
	if err != nil {
		return 0, 0, err
	}
	c := uint64(1)
	if hasCount {
		if c, err = strconv.ParseUint(countText, 10, 31); err != nil {
			return 0, 0, err
		}
	}
	return int(n), int(c), nil
}

// Reverse returns the diff that undoes diff: what it creates is deleted and
// the other way round, and each hunk's removed and added lines swap.
func Reverse(diff string) (string, error) {
	files, err := Parse(diff)
	if err != nil {
		return "", fmt.Errorf("reversing: %w", err)
	}
	for i := range files {
		f := &files[i]
		f.Created, f.Deleted = f.Deleted, f.Created
		for j, h := range f.Hunks {
			var lines, removed, added []string
			for _, l := range h.Lines {
				switch l[0] {
				case ' ':
					lines = append(append(append(lines, removed...), added...), l)
					removed, added = removed[:0], added[:0]
				case '-':
					added = append(added, "+"+l[1:])
				case '+':
					removed = append(removed, "-"+l[1:])
				}
			}
			f.Hunks[j] = Hunk{
				OldStart: h.NewStart, OldLines: h.NewLines,
				NewStart: h.OldStart, NewLines: h.OldLines,
				Lines: append(append(lines, removed...), added...),
			}
		}
	}
	return format(files), nil
}

// Apply applies diff to the files that read returns, hunk by hunk, and
// returns the old and new contents of every file in the diff, in the diff's
// order; it writes nothing.
//
// A hunk applies where its context and removed lines are in the file exactly:
// at the line it names, shifted by the offset at which the hunk before it
// applied, or else at the nearest place after the hunk before it (patch(1)'s
// offset, without fuzz). As git apply requires, a hunk that starts at the
// first line must apply there and one with no context after its changes must
// apply at the end of the file. If any hunk does not apply, Apply returns a
// *HunkError naming the file and the hunk, and no changes.
//
// For a file the diff creates, read must fail with an error that wraps
// fs.ErrNotExist (as os.ReadFile does); if the file exists, Apply fails.
// A file the diff deletes must have no lines left once its hunks apply.
func Apply(diff string, read func(path string) ([]byte, error)) ([]FileChange, error) {
	files, err := Parse(diff)
	if err != nil {
		return nil, err
	}
	var changes []FileChange
	seen := make(map[string]bool)
	for _, f := range files {
		if seen[f.Path] {
			return nil, fmt.Errorf("%s: the diff has two sections for the file", f.Path)
		}
		seen[f.Path] = true
		c, err := applyFile(f, read)
		if err != nil {
			return nil, err
		}
		changes = append(changes, c)
	}
	return changes, nil
}

func applyFile(f FilePatch, read func(path string) ([]byte, error)) (FileChange, error) {
	c := FileChange{Path: f.Path}
	old, err := read(f.Path)
	switch {
	case f.Created && err == nil:
		return c, fmt.Errorf("%s: the diff creates the file, but it exists", f.Path)
	case f.Created && !errors.Is(err, fs.ErrNotExist):
		return c, fmt.Errorf("%s: checking that the file does not exist: %w", f.Path, err)
	case !f.Created && err != nil:
		return c, fmt.Errorf("%s: reading: %w", f.Path, err)
	case !f.Created && old == nil:
		old = []byte{}
	case f.Created:
		old = nil
	}
	c.Old = old

	lines := splitLines(string(old))
	var out []string
	next, offset := 0, 0 // next: the first line no hunk has reached yet
	for i, h := range f.Hunks {
		var from, to []string
		for _, l := range h.Lines {
			if l[0] != '+' {
				from = append(from, l[1:])
			}
			if l[0] != '-' {
				to = append(to, l[1:])
			}
		}
		want := h.OldStart - 1
		if h.OldLines == 0 {
			want = h.OldStart // an empty range starts after the line it names
		}
		trailing := len(h.Lines) > 0 && h.Lines[len(h.Lines)-1][0] == ' ' // context after the changes
		at := find(lines, from, want+offset, next, h.OldStart <= 1, !trailing)
		if at < 0 {
			return c, &HunkError{Path: f.Path, Index: i + 1, Header: h.Header()}
		}
		out = append(append(out, lines[next:at]...), to...)
		next, offset = at+len(from), at-want
	}
	out = append(out, lines[next:]...)
	for _, l := range out[:max(len(out)-1, 0)] {
		if !strings.HasSuffix(l, "\n") {
			return c, fmt.Errorf("%s: the diff leaves a line without a line ending before the end of the file", f.Path)
		}
	}
	c.New = []byte(strings.Join(out, ""))
	if f.Deleted {
		if len(c.New) > 0 {
			return c, fmt.Errorf("%s: the diff deletes the file, but it has lines the diff does not remove", f.Path)
		}
		c.New = nil
	}
	return c, nil
}

// find returns where from is in lines, searching outward from want within
// lines[lo:], or -1. atStart and atEnd restrict the match to the first or the
// last lines.
func find(lines, from []string, want, lo int, atStart, atEnd bool) int {
	hi := len(lines) - len(from)
	if atStart {
		hi = min(hi, 0)
	}
	if atEnd {
		lo = max(lo, len(lines)-len(from))
	}
	if lo > hi {
		return -1
	}
	want = min(max(want, lo), hi)
	for d := 0; want-d >= lo || want+d <= hi; d++ {
		if at := want + d; at <= hi && slices.Equal(lines[at:at+len(from)], from) {
			return at
		}
		if at := want - d; d > 0 && at >= lo && slices.Equal(lines[at:at+len(from)], from) {
			return at
		}
	}
	return -1
}
