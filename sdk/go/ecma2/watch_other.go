//go:build !unix

package ecma2

// Watching the host process where no portable liveness check exists: poll os.FindProcess.

import (
	"context"
	"os"
	"time"
)

func watchHost(ctx context.Context, pid int, gone func()) {
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		if _, err := os.FindProcess(pid); err != nil {
			gone()
			return
		}
	}
}
