package verify

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/mod/modfile"
)

// A module that is a member of a go.work workspace builds against the
// workspace's other modules, so its verification copy must too: the copy
// gets a go.work of its own, beside it in the private scratch folder,
// that uses the copy in place of the module and every other member where
// it stands (read only), with the workspace's replacements.

// workspaceOf is the go.work file that governs root, or "" outside a
// workspace (or with GOWORK=off).
func workspaceOf(ctx context.Context, root string) (string, error) {
	cmd := command(ctx, "go", "env", "GOWORK")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("go env GOWORK in %s: %w", root, err)
	}
	work := strings.TrimSpace(string(out))
	if work == "off" {
		return "", nil
	}
	return work, nil
}

// writeWorkspace writes tmp/go.work for the copy dir of root, from the
// workspace file work.
func writeWorkspace(work, root, dir, tmp string) error {
	data, err := os.ReadFile(work)
	if err != nil {
		return fmt.Errorf("read the workspace: %w", err)
	}
	wf, err := modfile.ParseWork(work, data, nil)
	if err != nil {
		return fmt.Errorf("parse %s: %w", work, err)
	}
	base := filepath.Dir(work)
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(base, filepath.FromSlash(p))
	}
	out := &modfile.WorkFile{Syntax: &modfile.FileSyntax{}}
	if wf.Go != nil {
		if err := out.AddGoStmt(wf.Go.Version); err != nil {
			return err
		}
	}
	if wf.Toolchain != nil {
		if err := out.AddToolchainStmt(wf.Toolchain.Name); err != nil {
			return err
		}
	}
	for _, u := range wf.Use {
		path := abs(u.Path)
		if filepath.Clean(path) == filepath.Clean(root) {
			path = dir
		}
		if err := out.AddUse(path, u.ModulePath); err != nil {
			return err
		}
	}
	for _, r := range wf.Replace {
		newPath := r.New.Path
		if r.New.Version == "" && (strings.HasPrefix(newPath, "./") || strings.HasPrefix(newPath, "../")) {
			newPath = abs(newPath)
		}
		if err := out.AddReplace(r.Old.Path, r.Old.Version, newPath, r.New.Version); err != nil {
			return err
		}
	}
	if err := os.WriteFile(filepath.Join(tmp, "go.work"), modfile.Format(out.Syntax), 0o644); err != nil {
		return fmt.Errorf("write the copy's workspace: %w", err)
	}
	return nil
}
