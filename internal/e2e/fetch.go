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
// and copies it to dst (see CopyOut); one whose go.mod was made, or whose
// go.sum misses what its packages and tests need, is tidied. dst then
// becomes a git work tree with everything committed.
func Fetch(ctx context.Context, modver, dst string) (*Fetched, error) {
	if !strings.Contains(modver, "@") {
		modver += "@latest"
	}
	f, err := CopyOut(ctx, modver, dst)
	if err != nil {
		return nil, err
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

// CopyOut downloads modver and copies it to dst (which must not exist),
// writable, independent of the module cache. A module without go.mod gets
// one (go mod init with its path; Tidied is then true, go.sum is not made).
func CopyOut(ctx context.Context, modver, dst string) (*Fetched, error) {
	outside, err := os.MkdirTemp("", "smartmigrate-dl-*")
	if err != nil {
		return nil, fmt.Errorf("download %s: %w", modver, err)
	}
	defer os.RemoveAll(outside)
	info, err := Download(ctx, modver, outside)
	if err != nil {
		return nil, err
	}
	if err := verify.CopyModule(info.Dir, dst); err != nil {
		return nil, fmt.Errorf("copy %s out of the module cache: %w", modver, err)
	}
	if err := makeWritable(dst); err != nil {
		return nil, fmt.Errorf("make the copy of %s writable: %w", modver, err)
	}
	f := &Fetched{Path: info.Path, Version: info.Version, Dir: dst}
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err != nil {
		if _, err := goCmd(ctx, dst, "mod", "init", info.Path); err != nil {
			return nil, err
		}
		f.Tidied = true
	}
	return f, nil
}

// Downloaded is what go mod download -json says of a module.
type Downloaded struct {
	Path, Version string
	// Dir is the module's folder in the module cache (read-only).
	Dir string
}

// Download fetches modver ("example.com/m@v1.2.3") into the module cache
// with go mod download -json, run in scratch (a folder outside any
// module).
func Download(ctx context.Context, modver, scratch string) (*Downloaded, error) {
	out, runErr := goCmd(ctx, scratch, "mod", "download", "-json", modver)
	var info struct{ Path, Version, Dir, Error string }
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		if runErr != nil {
			return nil, runErr
		}
		return nil, fmt.Errorf("go mod download -json %s: %w", modver, err)
	}
	if info.Error != "" {
		return nil, fmt.Errorf("go mod download %s: %s", modver, info.Error)
	}
	if runErr != nil {
		return nil, runErr
	}
	return &Downloaded{Path: info.Path, Version: info.Version, Dir: info.Dir}, nil
}

// makeWritable gives the owner write permission on everything below dir
// (the module cache is read-only).
func makeWritable(dir string) error {
	return filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Type()&fs.ModeSymlink != 0 {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		return os.Chmod(path, fi.Mode().Perm()|0o200)
	})
}

// builds reports whether every package of dir, tests included, lists
// without an error (go.sum has what they need).
func builds(ctx context.Context, dir string) bool {
	_, err := goCmd(ctx, dir, "list", "-e=false", "-test", "-deps", "./...")
	return err == nil
}

// goCmd runs the go command in dir, outside any workspace, and returns its
// standard output; the error holds the end of its standard error.
func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	return goCmdEnv(ctx, dir, nil, args...)
}

// Go is goCmd for the other harnesses.
func Go(ctx context.Context, dir string, args ...string) (string, error) {
	return goCmd(ctx, dir, args...)
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
