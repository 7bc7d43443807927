package checker

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// lineRange is a range of changed lines of a file's new version. A pure
// deletion (Count 0 in the hunk) sits between lines Start and Start+1.
type lineRange struct {
	Start, End int
	deletion   bool
}

// Changes are the lines changed since a git ref, by absolute file name.
// A file that is new (untracked, or added since the ref) is whole.
type Changes struct {
	Ref   string
	files map[string][]lineRange
}

// whole marks a file as wholly new.
var whole = []lineRange{{Start: 1, End: int(^uint(0) >> 1)}}

// ChangedSince computes the .go lines changed between ref and the work
// tree that holds dir (committed, staged and unstaged changes alike, and
// untracked files as wholly new) with git diff --unified=0.
func ChangedSince(dir, ref string) (*Changes, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	top, err := git(abs, "rev-parse", "--show-toplevel")
	if err != nil {
		return nil, fmt.Errorf("--since needs a git work tree: %s is not in one", abs)
	}
	top = strings.TrimSpace(top)
	commit, err := git(abs, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	if err != nil {
		return nil, fmt.Errorf("--since %s: no such git commit, branch or tag in %s", ref, top)
	}
	diff, err := git(top, "-c", "core.quotePath=false", "diff", "--unified=0", "--no-color", "--no-ext-diff", "--find-renames", strings.TrimSpace(commit), "--", "*.go")
	if err != nil {
		return nil, err
	}
	c := &Changes{Ref: ref, files: map[string][]lineRange{}}
	if err := c.parseDiff(top, diff); err != nil {
		return nil, err
	}
	untracked, err := git(top, "-c", "core.quotePath=false", "ls-files", "--others", "--exclude-standard", "--full-name", "-z", "--", "*.go")
	if err != nil {
		return nil, err
	}
	for _, name := range strings.Split(untracked, "\x00") {
		if name != "" {
			c.files[canonical(filepath.Join(top, filepath.FromSlash(name)))] = whole
		}
	}
	return c, nil
}

// parseDiff reads the new-side file names and hunk ranges of a unified
// diff with no context lines.
func (c *Changes) parseDiff(top, diff string) error {
	var file string
	sc := bufio.NewScanner(strings.NewReader(diff))
	sc.Buffer(make([]byte, 0, 64*1024), 16*1024*1024)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "diff --git "):
			file = ""
		case strings.HasPrefix(line, "+++ "):
			name := strings.TrimPrefix(line, "+++ ")
			if name == "/dev/null" {
				file = "" // deleted: nothing of it can be reported
				continue
			}
			if strings.HasPrefix(name, `"`) {
				if u, err := strconv.Unquote(name); err == nil {
					name = u
				}
			}
			name = strings.TrimPrefix(name, "b/")
			file = canonical(filepath.Join(top, filepath.FromSlash(name)))
		case strings.HasPrefix(line, "new file mode"):
			// The +++ line follows; its hunk covers the whole file anyway.
		case strings.HasPrefix(line, "@@ ") && file != "":
			r, err := parseHunk(line)
			if err != nil {
				return err
			}
			c.files[file] = append(c.files[file], r)
		}
	}
	return sc.Err()
}

// parseHunk reads the new side of "@@ -a,b +c,d @@".
func parseHunk(line string) (lineRange, error) {
	fields := strings.Fields(line)
	if len(fields) < 3 || !strings.HasPrefix(fields[2], "+") {
		return lineRange{}, fmt.Errorf("git diff: bad hunk header %q", line)
	}
	startS, countS, ok := strings.Cut(fields[2][1:], ",")
	if !ok {
		countS = "1"
	}
	start, err1 := strconv.Atoi(startS)
	count, err2 := strconv.Atoi(countS)
	if err1 != nil || err2 != nil {
		return lineRange{}, fmt.Errorf("git diff: bad hunk header %q", line)
	}
	if count == 0 {
		return lineRange{Start: start, End: start + 1, deletion: true}, nil
	}
	return lineRange{Start: start, End: start + count - 1}, nil
}

// Touches reports whether lines start..end of file (absolute) changed.
// A deletion counts when it is strictly inside the range.
func (c *Changes) Touches(file string, start, end int) bool {
	for _, r := range c.files[canonical(file)] {
		if r.deletion {
			if start <= r.Start && r.End <= end {
				return true
			}
			continue
		}
		if r.Start <= end && start <= r.End {
			return true
		}
	}
	return false
}

// Filter keeps the findings whose function changed.
func (c *Changes) Filter(fs []Finding) []Finding {
	var out []Finding
	for _, f := range fs {
		if c.Touches(f.abs, f.StartLine, f.EndLine) {
			out = append(out, f)
		}
	}
	return out
}

// canonical resolves symbolic links so that git's and go's names of one
// file compare equal.
func canonical(path string) string {
	dir, base := filepath.Split(path)
	if d, err := filepath.EvalSymlinks(dir); err == nil {
		return filepath.Join(d, base)
	}
	return filepath.Clean(path)
}

// git runs git in dir and returns its standard output; the error carries
// git's standard error.
func git(dir string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	// A GIT_DIR from the environment would point git elsewhere.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_DIR=") && !strings.HasPrefix(kv, "GIT_WORK_TREE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %s", strings.Join(args, " "), strings.TrimSpace(stderr.String()))
		}
		return "", fmt.Errorf("git: %w", err)
	}
	return stdout.String(), nil
}
