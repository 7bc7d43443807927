package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/smartmigrate/smartmigrate/internal/verify"
)

// Fetched is a module copied out of the module cache.
type Fetched struct {
	Path, Version string
	// Dir is the copy: a git work tree with one commit.
	Dir string
	// Tidied is true when go.mod was made (go mod init) or tidied to
	// build.
	Tidied bool
}

// Fetch downloads modver ("example.com/m@v1.2.3", "@latest" allowed)
// with go mod download -json and copies it to dst (which must not exist),
// writable, independent of the module cache; a module without go.mod gets
// one (go mod init, go mod tidy), one whose go.sum misses what its
// packages and tests need is tidied. dst then becomes a git work tree with
// everything committed.
func Fetch(ctx context.Context, modver, dst string) (*Fetched, error) {
	if !strings.Contains(modver, "@") {
		modver += "@latest"
	}
	outside, err := os.MkdirTemp("", "smartmigrate-e2e-dl-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(outside)
	out, err := goCmd(ctx, outside, "mod", "download", "-json", modver)
	var info struct {
		Path, Version, Dir, GoMod, Error string
	}
	if jerr := json.Unmarshal([]byte(out), &info); jerr != nil {
		if err != nil {
			return nil, err
		}
		return nil, fmt.Errorf("go mod download -json %s: %w", modver, jerr)
	}
	if info.Error != "" {
		return nil, fmt.Errorf("go mod download %s: %s", modver, info.Error)
	}
	if err != nil {
		return nil, err
	}
	if err := verify.CopyModule(info.Dir, dst); err != nil {
		return nil, fmt.Errorf("copy %s out of the module cache: %w", modver, err)
	}
	// The module cache is read-only.
	err = filepath.WalkDir(dst, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(path, fi.Mode().Perm()|0o200)
	})
	if err != nil {
		return nil, err
	}
	f := &Fetched{Path: info.Path, Version: info.Version, Dir: dst}
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err != nil {
		if _, err := goCmd(ctx, dst, "mod", "init", info.Path); err != nil {
			return nil, err
		}
		f.Tidied = true
	}
	if f.Tidied || !builds(ctx, dst) {
		if _, err := goCmd(ctx, dst, "mod", "tidy"); err != nil {
			return nil, err
		}
		f.Tidied = true
	}
	for _, args := range [][]string{
		{"init", "-q"},
		{"config", "user.name", "smartmigrate e2e"},
		{"config", "user.email", "e2e@smartmigrate.invalid"},
		{"config", "commit.gpgsign", "false"},
		{"add", "-A"},
		{"commit", "-q", "--no-verify", "-m", modver},
	} {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dst
		if out, err := cmd.CombinedOutput(); err != nil {
			return nil, fmt.Errorf("git %s: %v\n%s", args[0], err, out)
		}
	}
	return f, nil
}

// builds reports whether every package of dir, tests included, lists
// without an error (go.sum has what they need).
func builds(ctx context.Context, dir string) bool {
	_, err := goCmd(ctx, dir, "list", "-e=false", "-test", "-deps", "./...")
	return err == nil
}

// goCmd runs the go command in dir, outside any workspace, and returns its
// standard output.
func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	return goCmdEnv(ctx, dir, nil, args...)
}

// goCmdEnv is goCmd with more environment variables.
func goCmdEnv(ctx context.Context, dir string, env []string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), "GOWORK=off"), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("go %s: %v\n%s", strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	return stdout.String(), nil
}
