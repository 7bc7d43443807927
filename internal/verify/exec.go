package verify

import (
	"context"
	"os/exec"
	"time"
)

// command is exec.CommandContext whose cancellation also ends what the
// command started ("sh -c 'go test ./...'" runs more processes than sh):
// where the system allows it, the command gets a process group of its
// own and the whole group is killed. WaitDelay bounds the wait for
// output pipes held open by anything that escaped.
func command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	ownGroup(cmd)
	cmd.WaitDelay = 2 * time.Second
	return cmd
}
