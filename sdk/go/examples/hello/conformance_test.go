package main

import (
	"os"
	"strings"
	"testing"

	"ecma2host.dev/sdk/go/hosttest"
)

// hello passes `ecma2 conformance` through the real host (the checks that need export, delta
// import or parameters are skipped: it has none).
func TestConformanceThroughTheHost(t *testing.T) {
	host := hosttest.NewHost(t, "hello", hosttest.Build(t, "."))
	stdout, stderr, ok := host.Run(t, "", "conformance", "--connector", "hello")
	if !ok || !strings.Contains(stdout, " passed, 0 failed, ") {
		t.Fatalf("conformance failed:\n%s\n%s", stdout, stderr)
	}
}

// The guide (sdk/go/README.md) shows this file whole; they must not drift apart.
func TestTheGuideShowsThisFile(t *testing.T) {
	guide, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	source, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	const marker = "<!-- examples/hello/main.go -->\n```go\n"
	start := strings.Index(string(guide), marker)
	if start < 0 {
		t.Fatal("the guide has no examples/hello/main.go block")
	}
	block := string(guide)[start+len(marker):]
	block = block[:strings.Index(block, "```")]
	if block != string(source) {
		t.Fatal("the guide's main.go differs from examples/hello/main.go")
	}
}
