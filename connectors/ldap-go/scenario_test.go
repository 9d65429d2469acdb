package main

// The scenario through the real host and the ecma2 CLI: full import of 10,000 people
// in two naming contexts, a delta after ldapmodify adds, modifies, a move and deletes, an
// export round trip confirmed by delta import, a password set and change, conformance, and a
// connector killed with SIGKILL mid-import.

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"ecma2host.dev/sdk/go/hosttest"
	"github.com/go-ldap/ldap/v3"
)

type summary struct {
	Adds    int    `json:"adds"`
	Updates int    `json:"updates"`
	Deletes int    `json:"deletes"`
	Errors  int    `json:"errors"`
	Objects int    `json:"objects"`
	Mark    string `json:"watermark"`
}

type dropped struct {
	DN           string `json:"dn"`
	Modification string `json:"modification"`
	ObjectType   string `json:"object_type"`
}

type cli struct {
	host   *hosttest.Host
	params []string
}

func newCLI(t *testing.T, over map[string]string) *cli {
	bin := hosttest.Build(t, ".")
	return &cli{host: hosttest.NewHost(t, "ldap", bin), params: hosttest.Params(params(over)...)}
}

func (c *cli) run(t *testing.T, stdin string, args ...string) (string, string) {
	t.Helper()
	args = append(args, "--connector", "ldap")
	if args[0] != "show" {
		args = append(args, c.params...)
	}
	stdout, stderr, ok := c.host.Run(t, stdin, args...)
	if !ok {
		t.Fatalf("ecma2 %s failed:\n%s\n%s", strings.Join(args[:2], " "), stdout, stderr)
	}
	return stdout, stderr
}

// importRun runs an import and returns its summary and the changes that crossed.
func (c *cli) importRun(t *testing.T, extra ...string) (summary, []dropped) {
	t.Helper()
	drop := filepath.Join(c.host.Dir, "drop-"+strconv.FormatInt(time.Now().UnixNano(), 10)+".jsonl")
	stdout, _ := c.run(t, "", append([]string{"--json", "import", "--drop-file", drop}, extra...)...)
	var s summary
	if err := json.Unmarshal([]byte(lastLine(stdout)), &s); err != nil {
		t.Fatalf("import summary %q: %v", stdout, err)
	}
	f, err := os.Open(drop)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var changes []dropped
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var d dropped
		if err := json.Unmarshal(sc.Bytes(), &d); err != nil {
			t.Fatal(err)
		}
		changes = append(changes, d)
	}
	return s, changes
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func find(changes []dropped, dn string) *dropped {
	for i := range changes {
		if sameDN(changes[i].DN, dn) {
			return &changes[i]
		}
	}
	return nil
}

func ldapmodify(t *testing.T, ldif string) {
	t.Helper()
	cmd := exec.Command("ldapmodify", "-x", "-H", slapd.ldapiURL, "-D", slapd.adminDN, "-w", slapd.adminPassword)
	cmd.Stdin = strings.NewReader(ldif)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ldapmodify: %v\n%s", err, out)
	}
}

func countObjects(t *testing.T) int {
	t.Helper()
	conn := admin(t)
	n := 0
	for _, base := range strings.Fields(contexts) {
		res, err := conn.SearchWithPaging(ldap.NewSearchRequest(base, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			"(|(objectClass=inetOrgPerson)(objectClass=groupOfNames)(objectClass=organizationalUnit))", []string{"1.1"}, nil), 1000)
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.Entries)
	}
	return n
}

func TestScenarioThroughTheHost(t *testing.T) {
	c := newCLI(t, nil)

	// Full import: every object of both naming contexts, in pages.
	want := countObjects(t)
	if want < 2*perContext+4 {
		t.Fatalf("the seed has %d objects", want)
	}
	full, changes := c.importRun(t)
	if full.Adds != want || full.Errors != 0 || len(changes) != want {
		t.Fatalf("full import: %+v, %d changes, want %d adds", full, len(changes), want)
	}
	perContextSeen := map[string]int{}
	for _, ch := range changes {
		for _, base := range strings.Fields(contexts) {
			if strings.HasSuffix(strings.ToLower(ch.DN), base) {
				perContextSeen[base]++
			}
		}
	}
	if perContextSeen["dc=example,dc=com"] < perContext || perContextSeen["dc=example,dc=org"] < perContext {
		t.Fatalf("per naming context: %v", perContextSeen)
	}

	// Changes made with ldapmodify come back in a delta import.
	ldapmodify(t, `dn: uid=delta-new,ou=People,dc=example,dc=com
changetype: add
objectClass: inetOrgPerson
uid: delta-new
cn: Delta New
sn: New

dn: uid=u1,ou=People,dc=example,dc=com
changetype: modify
replace: title
title: Delta Title

dn: uid=u2,ou=People,dc=example,dc=org
changetype: modrdn
newrdn: uid=u2
deleteoldrdn: 1
newsuperior: ou=Staff,dc=example,dc=org

dn: uid=u3,ou=People,dc=example,dc=com
changetype: delete
`)
	delta, changes := c.importRun(t, "--delta")
	if delta.Adds != 1 || delta.Updates != 2 || delta.Deletes != 1 || len(changes) != 4 {
		t.Fatalf("delta import: %+v %+v", delta, changes)
	}
	for dn, mod := range map[string]string{
		"uid=delta-new,ou=People,dc=example,dc=com": "OBJECT_MODIFICATION_TYPE_ADD",
		"uid=u1,ou=People,dc=example,dc=com":        "OBJECT_MODIFICATION_TYPE_REPLACE",
		"uid=u2,ou=Staff,dc=example,dc=org":         "OBJECT_MODIFICATION_TYPE_REPLACE",
		"uid=u3,ou=People,dc=example,dc=com":        "OBJECT_MODIFICATION_TYPE_DELETE",
	} {
		if d := find(changes, dn); d == nil || d.Modification != mod {
			t.Errorf("%s: %+v, want %s", dn, d, mod)
		}
	}
	// The move is a rename in the connector space: the object answers at its new DN only.
	if out, _ := c.run(t, "", "show", "--dn", "uid=u2,ou=Staff,dc=example,dc=org"); !strings.Contains(out, "u2") {
		t.Errorf("show of the moved object: %s", out)
	}
	if _, _, ok := c.host.Run(t, "", "show", "--connector", "ldap", "--dn", "uid=u2,ou=People,dc=example,dc=org"); ok {
		t.Error("the moved object still answers at its old DN")
	}
	if again, _ := c.importRun(t, "--delta"); again.Objects != 0 {
		t.Errorf("a second delta with no change: %+v", again)
	}

	// Export round trip: an add under a missing OU, an update, a delete; a delta confirms them.
	staged := filepath.Join(c.host.Dir, "changes.jsonl")
	lines := []string{
		`{"op":"add","type":"inetOrgPerson","dn":"uid=exported,ou=Exported,dc=example,dc=org","attrs":{"cn":"Exported Person","sn":"Person","mail":"exported@example.test"}}`,
		`{"op":"update","dn":"uid=u4,ou=People,dc=example,dc=com","attrs":{"title":"Exported Title"}}`,
		`{"op":"delete","dn":"uid=u5,ou=People,dc=example,dc=com"}`,
	}
	if err := os.WriteFile(staged, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.run(t, "", "stage", "--changes", staged)
	if out, stderr := c.run(t, "", "export"); strings.Contains(out+stderr, "Error") {
		t.Logf("export output:\n%s\n%s", out, stderr)
	}
	conn := admin(t)
	res, err := conn.Search(ldap.NewSearchRequest("uid=u4,ou=People,dc=example,dc=com", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"title"}, nil))
	if err != nil || res.Entries[0].GetAttributeValue("title") != "Exported Title" {
		t.Fatalf("the exported update is not in LDAP: %v", err)
	}
	if _, err := conn.Search(ldap.NewSearchRequest("uid=exported,ou=Exported,dc=example,dc=org", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", nil, nil)); err != nil {
		t.Fatalf("the exported add (and its new parent OU) is not in LDAP: %v", err)
	}
	confirm, changes := c.importRun(t, "--delta")
	for dn, mod := range map[string]string{
		"ou=Exported,dc=example,dc=org":              "OBJECT_MODIFICATION_TYPE_ADD",
		"uid=exported,ou=Exported,dc=example,dc=org": "OBJECT_MODIFICATION_TYPE_ADD",
		"uid=u4,ou=People,dc=example,dc=com":         "OBJECT_MODIFICATION_TYPE_REPLACE",
		"uid=u5,ou=People,dc=example,dc=com":         "OBJECT_MODIFICATION_TYPE_DELETE",
	} {
		if d := find(changes, dn); d == nil || d.Modification != mod {
			t.Errorf("confirming delta, %s: %+v, want %s (%+v)", dn, d, mod, confirm)
		}
	}

	// Passwords: set as the admin, then change as the user; binds prove both.
	user := "uid=u6,ou=People,dc=example,dc=com"
	c.run(t, "first-new-password\n", "password", "set", "--dn", user, "--object-type", "inetOrgPerson")
	bindAs(t, user, "first-new-password")
	c.run(t, "first-new-password\nsecond-password\n", "password", "change", "--dn", user, "--object-type", "inetOrgPerson")
	bindAs(t, user, "second-password")
	_, stderr, ok := c.host.Run(t, "wrong-old\nthird\n", append([]string{"password", "change", "--connector", "ldap", "--dn", user, "--object-type", "inetOrgPerson"}, c.params...)...)
	if ok || !strings.Contains(stderr, "OldPasswordIncorrectException") {
		t.Fatalf("a change with a wrong old password: %s", stderr)
	}
	if strings.Contains(stderr, "wrong-old") || strings.Contains(stderr, "third") {
		t.Fatal("a password reached the output")
	}
}

func bindAs(t *testing.T, dn, password string) {
	t.Helper()
	conn, err := ldap.DialURL(strings.Replace(slapd.ldapiURL, "%2F", "/", -1))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.Bind(dn, password); err != nil {
		t.Fatalf("bind as %s with the new password: %v", dn, err)
	}
}

func TestPasswordsNeedASecureConnection(t *testing.T) {
	c := newCLI(t, map[string]string{pURL: slapd.ldapURL})
	_, stderr, ok := c.host.Run(t, "some-password\n", append([]string{"password", "set", "--connector", "ldap", "--dn", "uid=u7,ou=People,dc=example,dc=com"}, c.params...)...)
	if ok || !strings.Contains(stderr, "PasswordExtensionException") || !strings.Contains(stderr, "plain LDAP") {
		t.Fatalf("a password over plain ldap://: %s", stderr)
	}
}

// Conformance runs against a small directory of its own (testdata/people.ldif): its checks
// import everything several times, once in pages of one.
func TestConformanceThroughTheHost(t *testing.T) {
	dir := t.TempDir()
	small, err := startSlapd(dir, "testdata/people.ldif")
	if err != nil {
		t.Fatal(err)
	}
	defer stopSlapd(dir)
	c := newCLI(t, map[string]string{pURL: small.ldapiURL})
	stdout, stderr, ok := c.host.Run(t, "", append([]string{"conformance", "--connector", "ldap"}, c.params...)...)
	if !ok || !strings.Contains(stdout, " passed, 0 failed, ") {
		t.Fatalf("conformance:\n%s\n%s", stdout, stderr)
	}
}

// connectorPID finds the connector process launched from bin (by its executable path).
func connectorPID(bin string) int {
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if exe, err := os.Readlink(filepath.Join("/proc", e.Name(), "exe")); err == nil && exe == bin {
			return pid
		}
	}
	return 0
}

func TestKilledMidImportIsADroppedConnection(t *testing.T) {
	bin := hosttest.Build(t, ".")
	host := hosttest.NewHost(t, "ldap", bin)
	ps := hosttest.Params(params(nil)...)
	drop := filepath.Join(host.Dir, "drop.jsonl")
	args := append([]string{"--config", host.Config, "--state", host.State, "import", "--connector", "ldap", "--page-size", "1", "--drop-file", drop}, ps...)
	cmd := exec.Command(hosttest.ECMA2(t), args...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait (bounded) until the import is under way, then kill the connector.
	deadline := time.Now().Add(60 * time.Second)
	pid := 0
	for time.Now().Before(deadline) {
		if pid = connectorPID(bin); pid != 0 {
			if st, err := os.Stat(drop); err == nil && st.Size() > 20_000 {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if pid == 0 {
		_ = cmd.Process.Kill()
		t.Fatal("the connector never started")
	}
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if err == nil || !strings.Contains(stderr.String(), "DroppedConnectionException") {
		t.Fatalf("the import after kill -9: %v\n%s", err, stderr.String())
	}
	// The next run works: the host starts the connector again.
	stdout, errOut, ok := host.Run(t, "", append([]string{"--json", "import", "--connector", "ldap"}, ps...)...)
	if !ok {
		t.Fatalf("the import after the crash failed:\n%s\n%s", stdout, errOut)
	}
	var s summary
	if err := json.Unmarshal([]byte(lastLine(stdout)), &s); err != nil || s.Objects < 2*perContext || s.Errors != 0 {
		t.Fatalf("the import after the crash: %s %v", stdout, err)
	}
}
