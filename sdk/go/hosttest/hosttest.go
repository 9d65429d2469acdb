// Package hosttest runs connectors through the real ecma2-host and ecma2 CLI in tests: it
// finds the ecma2 binary (ECMA2_BIN, or the repository's target/debug/ecma2), builds a Go
// connector, writes a host configuration that launches it, and runs CLI commands against it.
package hosttest

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Repo is the repository's root directory.
func Repo() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Clean(filepath.Join(filepath.Dir(file), "../../.."))
}

// ECMA2 returns the ecma2 CLI binary; the test fails when it is missing (scripts/test builds it).
func ECMA2(t testing.TB) string {
	t.Helper()
	bin := os.Getenv("ECMA2_BIN")
	if bin == "" {
		bin = filepath.Join(Repo(), "target/debug/ecma2")
	}
	if _, err := os.Stat(bin); err != nil {
		t.Fatalf("the ecma2 CLI is missing at %s: build it with `cargo build -p ecma2-cli -p ecma2-host` (sdk/go/scripts/check.sh does) or set ECMA2_BIN", bin)
	}
	return bin
}

// Build compiles the Go main package in dir into a temp directory and returns the binary.
func Build(t testing.TB, dir string) string {
	t.Helper()
	abs, err := filepath.Abs(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), filepath.Base(abs))
	cmd := exec.Command("go", "build", "-o", out, ".")
	cmd.Dir = dir
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build in %s: %v\n%s", dir, err, b)
	}
	return out
}

// Host is a host configuration in a temp directory that launches one connector.
type Host struct {
	Dir       string
	Config    string
	State     string
	Connector string
	bin       string
}

// NewHost writes a host configuration launching command under the name connector.
func NewHost(t testing.TB, connector, command string, args ...string) *Host {
	t.Helper()
	dir := t.TempDir()
	quoted := make([]string, len(args))
	for i, a := range args {
		quoted[i] = fmt.Sprintf("%q", a)
	}
	config := fmt.Sprintf("[engine]\nlisten = \"unix:%s\"\n[[connector]]\nname = %q\ncommand = %q\nargs = [%s]\n[connector.limits]\nclose_grace = \"3s\"\n",
		filepath.Join(dir, "engine.sock"), connector, command, strings.Join(quoted, ", "))
	path := filepath.Join(dir, "host.toml")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	return &Host{Dir: dir, Config: path, State: filepath.Join(dir, "state"), Connector: connector, bin: ECMA2(t)}
}

// Run runs `ecma2 --config C --state S <args>` (the CLI starts the host for the command) and
// returns stdout, stderr and whether it exited 0.
func (h *Host) Run(t testing.TB, stdin string, args ...string) (string, string, bool) {
	t.Helper()
	full := append([]string{"--config", h.Config, "--state", h.State}, args...)
	cmd := exec.Command(h.bin, full...)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err == nil
}

// Params turns name=value pairs into --param flags.
func Params(kv ...string) []string {
	var out []string
	for _, p := range kv {
		out = append(out, "--param", p)
	}
	return out
}
