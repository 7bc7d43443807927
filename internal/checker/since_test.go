package checker

import (
	"path/filepath"
	"testing"
)

func TestParseDiff(t *testing.T) {
	top := t.TempDir()
	diff := `diff --git a/api/client.go b/api/client.go
index 1111111..2222222 100644
--- a/api/client.go
+++ b/api/client.go
@@ -10,0 +11,3 @@ func a() {
+	x()
+	y()
+	z()
@@ -20 +23 @@ func b() {
-	old()
+	new()
@@ -40,2 +42,0 @@ func c() {
-	gone()
-	gone()
diff --git a/old.go b/old.go
deleted file mode 100644
--- a/old.go
+++ /dev/null
@@ -1,3 +0,0 @@
-package x
-
-func G() {}
diff --git "a/sp ace.go" "b/sp ace.go"
new file mode 100644
--- /dev/null
+++ "b/sp ace.go"
@@ -0,0 +1,2 @@
+package x
+func F() {}
`
	c, err := changesOf("HEAD", top, diff)
	if err != nil {
		t.Fatal(err)
	}
	client := filepath.Join(top, "api", "client.go")
	for _, tc := range []struct {
		file       string
		start, end int
		want       bool
	}{
		{client, 1, 10, false},  // before the first hunk
		{client, 13, 15, true},  // overlaps 11-13
		{client, 23, 23, true},  // the one-line change
		{client, 24, 41, false}, // between hunks
		{client, 41, 43, true},  // the deletion after line 42 is inside 41-43
		{client, 40, 42, false}, // ... but not inside a range ending at 42
		{client, 43, 50, false}, // nor one starting at 43
		{filepath.Join(top, "sp ace.go"), 2, 2, true},
		{filepath.Join(top, "old.go"), 1, 3, false},
		{filepath.Join(top, "other.go"), 1, 100, false},
	} {
		if got := c.Touches(tc.file, tc.start, tc.end); got != tc.want {
			t.Errorf("Touches(%s, %d, %d) = %v, want %v", filepath.Base(tc.file), tc.start, tc.end, got, tc.want)
		}
	}
}

func TestParseHunkErrors(t *testing.T) {
	for _, h := range []string{"@@ nonsense", "@@ -1 +x,2 @@"} {
		diff := "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n" + h + "\n"
		if _, err := changesOf("HEAD", t.TempDir(), diff); err == nil {
			t.Errorf("hunk %q parsed", h)
		}
	}
}

func TestRenamedFile(t *testing.T) {
	top := t.TempDir()
	diff := "diff --git a/old.go b/new.go\nsimilarity index 90%\nrename from old.go\nrename to new.go\n--- a/old.go\n+++ b/new.go\n@@ -3 +3 @@\n-a\n+b\n"
	c, err := changesOf("HEAD", top, diff)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Touches(filepath.Join(top, "new.go"), 3, 3) || c.Touches(filepath.Join(top, "new.go"), 4, 9) {
		t.Errorf("renamed file's lines: %v", c.files)
	}
}

// TestAdded tells a function added whole (its closing brace may pair with
// an old line) from one that only changed.
func TestAdded(t *testing.T) {
	top := t.TempDir()
	diff := "diff --git a/x.go b/x.go\n--- a/x.go\n+++ b/x.go\n" +
		"@@ -5,0 +6,4 @@\n+func New() {\n+\tping()\n+\tping()\n+}\n" +
		"@@ -20 +24 @@\n-\told()\n+\tnew()\n"
	c, err := changesOf("HEAD", top, diff)
	if err != nil {
		t.Fatal(err)
	}
	x := filepath.Join(top, "x.go")
	for _, tc := range []struct {
		start, end int
		want       bool
	}{
		{6, 9, true},    // all four lines added
		{6, 11, false},  // line 10 is old and not the last
		{7, 10, true},   // the last line, the brace, may be old
		{23, 25, false}, // a changed line in an old function
		{5, 9, false},   // starts on an old line
	} {
		if got := c.Added(x, tc.start, tc.end); got != tc.want {
			t.Errorf("Added(%d, %d) = %v, want %v", tc.start, tc.end, got, tc.want)
		}
	}
}
