package main

import (
	"path/filepath"
	"strings"
	"testing"

	"ecma2host.dev/sdk/go/hosttest"
)

// godir passes every check of `ecma2 conformance`, run through the real host.
func TestConformanceThroughTheHost(t *testing.T) {
	bin := hosttest.Build(t, ".")
	host := hosttest.NewHost(t, "godir", bin)
	args := append([]string{"conformance", "--connector", "godir"},
		hosttest.Params("Directory file="+filepath.Join(host.Dir, "dir.json"), "Seed users=25")...)
	stdout, stderr, ok := host.Run(t, "", args...)
	if !ok || !strings.Contains(stdout, " passed, 0 failed, ") {
		t.Fatalf("conformance failed:\n%s\n%s", stdout, stderr)
	}
}
