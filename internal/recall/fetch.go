//go:build recall

package recall

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

// Download fetches modver ("example.com/m@v1.2.3") into the module cache
// with go mod download -json and returns its folder there (read-only).
// scratch is an empty folder to run the go command in, outside any
// module.
func Download(ctx context.Context, modver, scratch string) (string, error) {
	out, runErr := goCmd(ctx, scratch, "mod", "download", "-json", modver)
	var info struct{ Dir, Error string }
	if err := json.Unmarshal([]byte(out), &info); err != nil {
		if runErr != nil {
			return "", runErr
		}
		return "", fmt.Errorf("go mod download -json %s: %w", modver, err)
	}
	if info.Error != "" {
		return "", fmt.Errorf("go mod download %s: %s", modver, info.Error)
	}
	if runErr != nil {
		return "", runErr
	}
	return info.Dir, nil
}

// Copy downloads modver and copies it to dst (which must not exist),
// writable, to be migrated. A module without go.mod gets one (go mod init
// with its path); then each of fixes runs as go command arguments in dst
// (go mod edit -dropreplace ...); a module whose packages and tests do not
// list without errors after that is tidied.
func Copy(ctx context.Context, modver, dst string, fixes [][]string) error {
	scratch, err := os.MkdirTemp("", "smartmigrate-recall-dl-*")
	if err != nil {
		return fmt.Errorf("download %s: %w", modver, err)
	}
	defer os.RemoveAll(scratch)
	src, err := Download(ctx, modver, scratch)
	if err != nil {
		return err
	}
	if err := verify.CopyModule(src, dst); err != nil {
		return fmt.Errorf("copy %s out of the module cache: %w", modver, err)
	}
	if err := makeWritable(dst); err != nil {
		return fmt.Errorf("make the copy of %s writable: %w", modver, err)
	}
	if _, err := os.Stat(filepath.Join(dst, "go.mod")); err != nil {
		path, _, _ := strings.Cut(modver, "@")
		if _, err := goCmd(ctx, dst, "mod", "init", path); err != nil {
			return err
		}
	}
	for _, args := range fixes {
		if _, err := goCmd(ctx, dst, args...); err != nil {
			return err
		}
	}
	if _, err := goCmd(ctx, dst, "list", "-e=false", "-test", "-deps", "./..."); err != nil {
		if _, err := goCmd(ctx, dst, "mod", "tidy"); err != nil {
			return err
		}
	}
	return nil
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

// goCmd runs the go command in dir, outside any workspace, and returns its
// standard output; the error holds the end of its standard error.
func goCmd(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.String(), fmt.Errorf("go %s in %s: %w\n%s", strings.Join(args, " "), dir, err, tail(stderr.String(), 20))
	}
	return stdout.String(), nil
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"..."}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
