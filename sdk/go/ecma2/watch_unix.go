//go:build unix

package ecma2

// Watching the host process: every 500 ms, is it still there, and is it still our parent?

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

func watchHost(ctx context.Context, pid int, gone func()) {
	parent := os.Getppid()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) || os.Getppid() != parent {
			gone()
			return
		}
	}
}
