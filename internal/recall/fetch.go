//go:build recall

package recall

import (
	"context"
	"fmt"

	"github.com/smartmigrate/smartmigrate/internal/e2e"
)

// Copy downloads modver and copies it to dst (which must not exist),
// writable, to be migrated (e2e.CopyOut: a module without go.mod gets
// one); then each of fixes runs as go command arguments in dst (go mod
// edit -dropreplace ...); a module whose packages and tests do not list
// without errors after that is tidied.
func Copy(ctx context.Context, modver, dst string, fixes [][]string) error {
	if _, err := e2e.CopyOut(ctx, modver, dst); err != nil {
		return fmt.Errorf("copy %s: %w", modver, err)
	}
	for _, args := range fixes {
		if _, err := e2e.Go(ctx, dst, args...); err != nil {
			return err
		}
	}
	if _, err := e2e.Go(ctx, dst, "list", "-e=false", "-test", "-deps", "./..."); err != nil {
		if _, err := e2e.Go(ctx, dst, "mod", "tidy"); err != nil {
			return err
		}
	}
	return nil
}
