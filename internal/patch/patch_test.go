package patch

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// numbered returns the lines "1\n" .. "n\n", with line i replaced by repl[i].
func numbered(n int, repl map[int]string) []byte {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		if r, ok := repl[i]; ok {
			b.WriteString(r)
		} else {
			fmt.Fprintf(&b, "%d\n", i)
		}
	}
	return []byte(b.String())
}

type testCase struct {
	name    string
	changes []FileChange
	want    string // the exact diff
}

var cases = []testCase{
	{
		name:    "modify middle",
		changes: []FileChange{{Path: "a.txt", Old: numbered(10, nil), New: numbered(10, map[int]string{5: "five\n"})}},
		want: "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n" +
			"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+five\n 6\n 7\n 8\n",
	},
	{
		name:    "add at start",
		changes: []FileChange{{Path: "a.txt", Old: numbered(5, nil), New: append([]byte("0\n"), numbered(5, nil)...)}},
		want:    "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,3 +1,4 @@\n+0\n 1\n 2\n 3\n",
	},
	{
		name:    "add at end",
		changes: []FileChange{{Path: "a.txt", Old: numbered(5, nil), New: numbered(6, nil)}},
		want:    "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -3,3 +3,4 @@\n 3\n 4\n 5\n+6\n",
	},
	{
		name:    "delete all lines",
		changes: []FileChange{{Path: "a.txt", Old: []byte("a\nb\n"), New: []byte{}}},
		want:    "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1,2 +0,0 @@\n-a\n-b\n",
	},
	{
		name:    "fill empty file",
		changes: []FileChange{{Path: "a.txt", Old: []byte{}, New: []byte("a\n")}},
		want:    "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -0,0 +1 @@\n+a\n",
	},
	{
		name:    "create file",
		changes: []FileChange{{Path: "pkg/new.go", New: []byte("package pkg\n\nfunc F() {}\n")}},
		want: "diff --git a/pkg/new.go b/pkg/new.go\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/new.go\n" +
			"@@ -0,0 +1,3 @@\n+package pkg\n+\n+func F() {}\n",
	},
	{
		name:    "delete file",
		changes: []FileChange{{Path: "pkg/old.go", Old: []byte("package pkg\n\nfunc F() {}\n")}},
		want: "diff --git a/pkg/old.go b/pkg/old.go\ndeleted file mode 100644\n--- a/pkg/old.go\n+++ /dev/null\n" +
			"@@ -1,3 +0,0 @@\n-package pkg\n-\n-func F() {}\n",
	},
	{
		name:    "create empty file",
		changes: []FileChange{{Path: "empty", New: []byte{}}},
		want:    "diff --git a/empty b/empty\nnew file mode 100644\n",
	},
	{
		name:    "delete empty file",
		changes: []FileChange{{Path: "empty", Old: []byte{}}},
		want:    "diff --git a/empty b/empty\ndeleted file mode 100644\n",
	},
	{
		name:    "no newline in old",
		changes: []FileChange{{Path: "a", Old: []byte("a\nb"), New: []byte("a\nb\n")}},
		want:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n",
	},
	{
		name:    "no newline in new",
		changes: []FileChange{{Path: "a", Old: []byte("a\nb\n"), New: []byte("a\nb")}},
		want:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n-b\n+b\n\\ No newline at end of file\n",
	},
	{
		name:    "no newline in both, last line changed",
		changes: []FileChange{{Path: "a", Old: []byte("a\nb"), New: []byte("a\nc")}},
		want: "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n" +
			"+c\n\\ No newline at end of file\n",
	},
	{
		name:    "no newline in both, last line kept",
		changes: []FileChange{{Path: "a", Old: []byte("a\nb\nc"), New: []byte("a\nB\nc")}},
		want:    "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n\\ No newline at end of file\n",
	},
	{
		name:    "CRLF lines kept as they are",
		changes: []FileChange{{Path: "w.txt", Old: []byte("a\r\nb\r\nc\r\n"), New: []byte("a\r\nB\r\nc\n")}},
		want:    "diff --git a/w.txt b/w.txt\n--- a/w.txt\n+++ b/w.txt\n@@ -1,3 +1,3 @@\n a\r\n-b\r\n-c\r\n+B\r\n+c\n",
	},
	{
		name:    "two distant changes, two hunks",
		changes: []FileChange{{Path: "a", Old: numbered(30, nil), New: numbered(30, map[int]string{5: "X\n", 13: "Y\n"})}},
		want: "diff --git a/a b/a\n--- a/a\n+++ b/a\n" +
			"@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n" +
			"@@ -10,7 +10,7 @@\n 10\n 11\n 12\n-13\n+Y\n 14\n 15\n 16\n",
	},
	{
		name:    "two close changes, one hunk",
		changes: []FileChange{{Path: "a", Old: numbered(30, nil), New: numbered(30, map[int]string{5: "X\n", 12: "Y\n"})}},
		want: "diff --git a/a b/a\n--- a/a\n+++ b/a\n" +
			"@@ -2,14 +2,14 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n 9\n 10\n 11\n-12\n+Y\n 13\n 14\n 15\n",
	},
	{
		name: "several files in path order",
		changes: []FileChange{
			{Path: "z.go", Old: []byte("z\n"), New: []byte("Z\n")},
			{Path: "same.go", Old: []byte("s\n"), New: []byte("s\n")},
			{Path: "dir/with space.txt", Old: []byte("x\n"), New: []byte("y\n")},
		},
		want: "diff --git a/dir/with space.txt b/dir/with space.txt\n--- a/dir/with space.txt\t\n+++ b/dir/with space.txt\t\n" +
			"@@ -1 +1 @@\n-x\n+y\n" +
			"diff --git a/z.go b/z.go\n--- a/z.go\n+++ b/z.go\n@@ -1 +1 @@\n-z\n+Z\n",
	},
	{
		name:    "quoted path",
		changes: []FileChange{{Path: "h\u00e9\"llo.txt", Old: []byte("x\n"), New: []byte("y\n")}},
		want: "diff --git \"a/h\\303\\251\\\"llo.txt\" \"b/h\\303\\251\\\"llo.txt\"\n" +
			"--- \"a/h\\303\\251\\\"llo.txt\"\n+++ \"b/h\\303\\251\\\"llo.txt\"\n@@ -1 +1 @@\n-x\n+y\n",
	},
	{
		name:    "identical",
		changes: []FileChange{{Path: "a", Old: numbered(5, nil), New: numbered(5, nil)}},
		want:    "",
	},
}

// files maps each path to its contents; a nil one is left out (the file does not exist).
func files(changes []FileChange, newSide bool) map[string][]byte {
	m := make(map[string][]byte)
	for _, c := range changes {
		content := c.Old
		if newSide {
			content = c.New
		}
		if content != nil {
			m[c.Path] = content
		}
	}
	return m
}

func reader(m map[string][]byte) func(string) ([]byte, error) {
	return func(path string) ([]byte, error) {
		if b, ok := m[path]; ok {
			return b, nil
		}
		return nil, fmt.Errorf("open %s: %w", path, fs.ErrNotExist)
	}
}

// checkApply applies diff to the from files and checks that it gives the to files.
func checkApply(t *testing.T, diff string, from, to map[string][]byte) {
	t.Helper()
	got, err := Apply(diff, reader(from))
	if err != nil {
		t.Fatalf("Apply: %v\ndiff:\n%s", err, diff)
	}
	result := make(map[string][]byte)
	for p, b := range from {
		result[p] = b
	}
	for _, c := range got {
		if !bytes.Equal(c.Old, from[c.Path]) || (c.Old == nil) != (from[c.Path] == nil) {
			t.Errorf("%s: Apply says the old contents are %q, they are %q", c.Path, c.Old, from[c.Path])
		}
		if c.New == nil {
			delete(result, c.Path)
		} else {
			result[c.Path] = c.New
		}
	}
	checkFiles(t, result, to)
}

func checkFiles(t *testing.T, got, want map[string][]byte) {
	t.Helper()
	for p, w := range want {
		if g, ok := got[p]; !ok {
			t.Errorf("%s: missing, want %q", p, w)
		} else if !bytes.Equal(g, w) {
			t.Errorf("%s: got %q, want %q", p, g, w)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s: exists, want it absent", p)
		}
	}
}

func TestUnified(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if got := Unified(tc.changes); got != tc.want {
				t.Errorf("Unified:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			old, new := files(tc.changes, false), files(tc.changes, true)
			diff := Unified(tc.changes)
			checkApply(t, diff, old, new)
			rev, err := Reverse(diff)
			if err != nil {
				t.Fatalf("Reverse: %v", err)
			}
			checkApply(t, rev, new, old)
			if back, err := Reverse(rev); err != nil || back != diff {
				t.Errorf("Reverse(Reverse(diff)) = %q, %v; want the diff:\n%s", back, err, diff)
			}
		})
	}
}

// TestGitApply proves the format git-compatible: git apply takes each diff,
// and its reverse, and gives the same files as Apply.
func TestGitApply(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not on PATH; the diffs are not checked against git apply")
	}
	for _, tc := range cases {
		if tc.want == "" {
			continue // git apply refuses an empty patch
		}
		t.Run(tc.name, func(t *testing.T) {
			old, new := files(tc.changes, false), files(tc.changes, true)
			dir := gitRepo(t)
			writeTree(t, dir, old)
			diff := Unified(tc.changes)
			gitApply(t, dir, diff)
			checkFiles(t, readTree(t, dir), new)
			rev, err := Reverse(diff)
			if err != nil {
				t.Fatal(err)
			}
			gitApply(t, dir, rev)
			checkFiles(t, readTree(t, dir), old)
		})
	}
}

func gitRepo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, nil, "init", "-q")
	return dir
}

// git runs git in dir, away from the user's and the system's configuration.
func git(t *testing.T, dir string, stdin []byte, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL="+os.DevNull, "HOME="+dir)
	cmd.Stdin = bytes.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil && args[0] == "init" {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	return out, err
}

func gitApply(t *testing.T, dir, diff string) {
	t.Helper()
	for _, args := range [][]string{{"apply", "--check", "-"}, {"apply", "-"}} {
		if out, err := git(t, dir, []byte(diff), args...); err != nil {
			t.Fatalf("git %s: %v\n%s\ndiff:\n%s", strings.Join(args, " "), err, out, diff)
		}
	}
}

func writeTree(t *testing.T, dir string, m map[string][]byte) {
	t.Helper()
	for p, b := range m {
		name := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(name, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	m := make(map[string][]byte)
	err := filepath.WalkDir(dir, func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			if d != nil && d.Name() == ".git" {
				return filepath.SkipDir
			}
			return err
		}
		b, err := os.ReadFile(name)
		rel, _ := filepath.Rel(dir, name)
		m[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// twoHunks is a file and a change to it that makes two hunks.
var twoHunks = FileChange{
	Path: "api/client.go",
	Old:  numbered(30, nil),
	New:  numbered(30, map[int]string{5: "five\n", 20: "twenty\n20b\n"}),
}

func TestHunkError(t *testing.T) {
	diff := Unified([]FileChange{twoHunks, {Path: "b.go", Old: []byte("b\n"), New: []byte("B\n")}})
	// Line 21 is context of the second hunk; changed, the hunk fits nowhere.
	changed := numbered(30, map[int]string{21: "21 changed\n"})
	got, err := Apply(diff, reader(map[string][]byte{"api/client.go": changed, "b.go": []byte("b\n")}))
	var he *HunkError
	if !errors.As(err, &he) {
		t.Fatalf("Apply = %v, want a *HunkError", err)
	}
	want := HunkError{Path: "api/client.go", Index: 2, Header: "@@ -17,7 +17,8 @@"}
	if *he != want {
		t.Errorf("HunkError = %+v, want %+v", *he, want)
	}
	if msg := "api/client.go: hunk 2 (@@ -17,7 +17,8 @@) does not apply"; err.Error() != msg {
		t.Errorf("error %q, want %q", err, msg)
	}
	if got != nil {
		t.Errorf("Apply returned changes %v with its error", got)
	}
}

func TestApplyOffset(t *testing.T) {
	diff := Unified([]FileChange{twoHunks})
	// Two lines above the first hunk and five above the second: both move.
	old := append([]byte("a\nb\n"), numbered(30, map[int]string{10: "10\nx\ny\nz\n"})...)
	want := append([]byte("a\nb\n"), numbered(30, map[int]string{5: "five\n", 10: "10\nx\ny\nz\n", 20: "twenty\n20b\n"})...)
	checkApply(t, diff, map[string][]byte{twoHunks.Path: old}, map[string][]byte{twoHunks.Path: want})
}

// TestApplyAnchored: a hunk at the start of the file must apply there, and one
// with no context after it at the end, as git apply requires.
func TestApplyAnchored(t *testing.T) {
	for _, tc := range []struct {
		name     string
		old, new []byte // the diff
		apply    []byte // what it is applied to
	}{
		{"start", numbered(10, nil), numbered(10, map[int]string{1: "one\n"}), append([]byte("0\n"), numbered(10, nil)...)},
		{"end", numbered(10, nil), numbered(10, map[int]string{10: "ten\n"}), append(numbered(10, nil), "11\n"...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			diff := Unified([]FileChange{{Path: "f", Old: tc.old, New: tc.new}})
			_, err := Apply(diff, reader(map[string][]byte{"f": tc.apply}))
			if he := (*HunkError)(nil); !errors.As(err, &he) || he.Index != 1 {
				t.Errorf("Apply = %v, want hunk 1 not to apply", err)
			}
			if _, err := exec.LookPath("git"); err == nil {
				dir := gitRepo(t)
				writeTree(t, dir, map[string][]byte{"f": tc.apply})
				if out, err := git(t, dir, []byte(diff), "apply", "--check", "-"); err == nil {
					t.Errorf("git apply --check accepts what Apply refuses:\n%s", out)
				}
			}
		})
	}
}

func TestApplyCreateExisting(t *testing.T) {
	diff := Unified([]FileChange{{Path: "n.go", New: []byte("n\n")}})
	if _, err := Apply(diff, reader(map[string][]byte{"n.go": []byte("n\n")})); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("Apply = %v, want an error that n.go exists", err)
	}
}

func TestApplyDeleteChanged(t *testing.T) {
	diff := Unified([]FileChange{{Path: "d.go", Old: []byte("a\nb\n")}})
	if _, err := Apply(diff, reader(map[string][]byte{"d.go": []byte("a\nb\nc\n")})); err == nil {
		t.Error("Apply deleted a file with lines the diff does not remove")
	}
}

// TestParseGitDiff reads what git diff writes: index lines, function
// context after the hunk header, a trailer.
func TestParseGitDiff(t *testing.T) {
	diff := `commit message lines are ignored
diff --git a/main.go b/main.go
index 3f2a1b0..9c4e2d1 100644
--- a/main.go
+++ b/main.go
@@ -1,5 +1,6 @@ package main
 package main
 
+import "fmt"
 func main() {
-	println("hi")
+	fmt.Println("hi")
 }
diff --git a/gone.txt b/gone.txt
deleted file mode 100644
index e69de29..0000000
-- 
2.39.5
`
	fs, err := Parse(diff)
	if err != nil {
		t.Fatal(err)
	}
	want := []FilePatch{
		{Path: "main.go", Hunks: []Hunk{{OldStart: 1, OldLines: 5, NewStart: 1, NewLines: 6, Lines: []string{
			" package main\n", " \n", "+import \"fmt\"\n", " func main() {\n", "-\tprintln(\"hi\")\n", "+\tfmt.Println(\"hi\")\n", " }\n",
		}}}},
		{Path: "gone.txt", Deleted: true},
	}
	if fmt.Sprintf("%#v", fs) != fmt.Sprintf("%#v", want) {
		t.Errorf("Parse =\n%#v\nwant\n%#v", fs, want)
	}
	old := map[string][]byte{"main.go": []byte("package main\n\nfunc main() {\n\tprintln(\"hi\")\n}\n"), "gone.txt": {}}
	checkApply(t, diff, old, map[string][]byte{"main.go": []byte("package main\n\nimport \"fmt\"\nfunc main() {\n\tfmt.Println(\"hi\")\n}\n")})
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, diff, want string }{
		{"truncated", "--- a/f\n+++ b/f\n@@ -1,3 +1,3 @@\n a\n-b\n", "ends early"},
		{"too long", "--- a/f\n+++ b/f\n@@ -1 +1,2 @@\n a\n-b\n+c\n", "more lines than its header says"},
		{"bad line", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n a\n*b\n", "is not a line of hunk"},
		{"bad header", "--- a/f\n+++ b/f\n@@ -x +1 @@\n", "bad hunk header"},
		{"hunk first", "@@ -1 +1 @@\n-a\n+b\n", "without ---/+++"},
		{"rename", "diff --git a/x b/y\nsimilarity index 90%\nrename from x\nrename to y\n", "renames"},
		{"binary", "diff --git a/x b/x\nBinary files a/x and b/x differ\n", "binary"},
		{"outside the module", "--- a/../x\n+++ b/../x\n@@ -1 +1 @@\n-a\n+b\n", "not a clean relative"},
		{"absolute", "--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-a\n+b\n", "not a clean relative"},
		{"text after no newline", "--- a/f\n+++ b/f\n@@ -1,2 +1,2 @@\n-a\n\\ No newline at end of file\n b\n+c\n", "after the end of the file"},
		{"lone marker", "--- a/f\n+++ b/f\n@@ -1 +1 @@\n\\ No newline at end of file\n-a\n+b\n", "does not follow"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.diff)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Parse = %v, want an error with %q", err, tc.want)
			}
			if _, aerr := Apply(tc.diff, reader(nil)); aerr == nil {
				t.Error("Apply took a diff that Parse refuses")
			}
		})
	}
}

// TestManyLines passes the line counts where diffmatchpatch's line-to-rune
// encoding changes width and skips the surrogates (0xD800, 0x10000).
func TestManyLines(t *testing.T) {
	const n = 70000
	old := numbered(n, nil)
	new := numbered(n, map[int]string{10: "ten\n", 55400: "x\n", 66000: "y\n"})
	c := []FileChange{{Path: "big", Old: old, New: new}}
	diff := Unified(c)
	if got := strings.Count(diff, "\n@@ "); got != 3 {
		t.Errorf("%d hunks, want 3:\n%s", got, diff)
	}
	if !strings.Contains(diff, "-55400\n+x\n") || !strings.Contains(diff, "-66000\n+y\n") {
		t.Errorf("diff misses the changes:\n%s", diff)
	}
	checkApply(t, diff, files(c, false), files(c, true))
}

// lineText turns fuzz bytes into short lines over a small alphabet, so that
// equal lines, CRLF endings and a missing last newline are common.
func lineText(b []byte) []byte {
	const alphabet = "\nab\nc\r\n"
	out := make([]byte, len(b))
	for i, c := range b {
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return out
}

func FuzzRoundTrip(f *testing.F) {
	f.Add([]byte("abcabc"), []byte("abdabc"))
	f.Add([]byte(""), []byte("a"))
	f.Add([]byte("\x00\x01\x00\x02\x00"), []byte("\x00\x01\x02"))
	f.Add([]byte("abababababababababababab"), []byte("abababaaababababababcbab"))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		old, new := lineText(a), lineText(b)
		c := []FileChange{{Path: "f.txt", Old: old, New: new}}
		diff := Unified(c)
		if (diff == "") != bytes.Equal(old, new) {
			t.Fatalf("Unified(%q, %q) = %q", old, new, diff)
		}
		checkApply(t, diff, files(c, false), files(c, true))
		rev, err := Reverse(diff)
		if err != nil {
			t.Fatalf("Reverse: %v\n%s", err, diff)
		}
		checkApply(t, rev, files(c, true), files(c, false))
		if back, err := Reverse(rev); err != nil || back != diff {
			t.Fatalf("Reverse(Reverse(diff)) = %q, %v; want %q", back, err, diff)
		}
	})
}
