// Package git runs the git commands smartmigrate needs: whether a folder
// is in a work tree, which files are dirty, a commit of some paths, and
// the diff since a ref. It is the one place that runs git.
package git

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Run runs git with args in dir and returns its standard output; the
// error carries git's standard error. GIT_DIR, GIT_WORK_TREE and
// GIT_INDEX_FILE from the environment are dropped: they would point git at
// another repository than dir's.
func Run(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GIT_DIR=") && !strings.HasPrefix(kv, "GIT_WORK_TREE=") && !strings.HasPrefix(kv, "GIT_INDEX_FILE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("git %s: %s", args[0], strings.TrimSpace(stderr.String()))
		}
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

// IsWorkTree reports whether dir is inside a git work tree (false when git
// is not installed).
func IsWorkTree(ctx context.Context, dir string) bool {
	out, err := Run(ctx, dir, "rev-parse", "--is-inside-work-tree")
	return err == nil && strings.TrimSpace(out) == "true"
}

// TopLevel is the root of the work tree that holds dir.
func TopLevel(ctx context.Context, dir string) (string, error) {
	out, err := Run(ctx, dir, "rev-parse", "--show-toplevel")
	return strings.TrimSpace(out), err
}

// Dirty returns the lines of git status --porcelain for paths (relative
// to dir): the ones with uncommitted changes.
func Dirty(ctx context.Context, dir string, paths []string) ([]string, error) {
	out, err := Run(ctx, dir, append([]string{"status", "--porcelain", "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if l != "" {
			lines = append(lines, l)
		}
	}
	return lines, nil
}

// Commit commits paths (relative to dir; added, changed or removed) and
// nothing else that may be staged, and returns the commit's hash.
func Commit(ctx context.Context, dir string, paths []string, msg string) (string, error) {
	if _, err := Run(ctx, dir, append([]string{"add", "-A", "--"}, paths...)...); err != nil {
		return "", err
	}
	if _, err := Run(ctx, dir, append([]string{"commit", "-q", "-m", msg, "--"}, paths...)...); err != nil {
		return "", err
	}
	out, err := Run(ctx, dir, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

// ResolveCommit returns the commit ref names in the repository of dir.
func ResolveCommit(ctx context.Context, dir, ref string) (string, error) {
	out, err := Run(ctx, dir, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}")
	return strings.TrimSpace(out), err
}
