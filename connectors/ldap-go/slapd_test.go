package main

// The connector against a real OpenLDAP slapd, started by scripts/slapd.sh for this test
// binary (own config, own mdb databases, ldapi:// socket and a free 127.0.0.1 port) with
// 10,000 people in two naming contexts loaded offline, and stopped when the tests end.

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// server is a running slapd started by scripts/slapd.sh.
type server struct {
	ldapURL, ldapiURL, adminDN, adminPassword string
}

// The slapd of this test binary.
var slapd server

// startSlapd starts a slapd with its databases in dir, seeded offline from an LDIF file.
func startSlapd(dir, seed string) (server, error) {
	var s server
	out, err := exec.Command("scripts/slapd.sh", "start", dir, seed).Output()
	if err != nil {
		msg := ""
		if ee, ok := err.(*exec.ExitError); ok {
			msg = string(ee.Stderr)
		}
		return s, fmt.Errorf("starting slapd: %v\n%s", err, msg)
	}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "LDAP_URL":
			s.ldapURL = v
		case "LDAPI_URL":
			s.ldapiURL = v
		case "ADMIN_DN":
			s.adminDN = v
		case "ADMIN_PASSWORD":
			s.adminPassword = v
		}
	}
	return s, nil
}

func stopSlapd(dir string) { _ = exec.Command("scripts/slapd.sh", "stop", dir).Run() }

const (
	perContext = 5000
	contexts   = "dc=example,dc=com dc=example,dc=org"
)

func seedLDIF(path string) error {
	var b strings.Builder
	for _, base := range strings.Fields(contexts) {
		for _, ou := range []string{"People", "Staff"} {
			fmt.Fprintf(&b, "dn: ou=%s,%s\nobjectClass: organizationalUnit\nou: %s\n\n", ou, base, ou)
		}
		for i := 0; i < perContext; i++ {
			fmt.Fprintf(&b, "dn: uid=u%d,ou=People,%s\nobjectClass: inetOrgPerson\nuid: u%d\ncn: User %d\nsn: Number%d\nmail: u%d@example.test\nuserPassword: initial-%d\n\n", i, base, i, i, i, i, i)
		}
	}
	return os.WriteFile(path, []byte(b.String()), 0o600)
}

func TestMain(m *testing.M) {
	os.Exit(runWithSlapd(m))
}

func runWithSlapd(m *testing.M) int {
	dir, err := os.MkdirTemp("", "ldap-go-slapd-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if err := seedLDIF(filepath.Join(dir, "seed.ldif")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	started, err := startSlapd(dir, filepath.Join(dir, "seed.ldif"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer stopSlapd(dir)
	slapd = started
	return m.Run()
}

// admin is an LDAP connection bound as the admin, for setting up and checking.
func admin(t *testing.T) *ldap.Conn {
	t.Helper()
	s, err := parseSettings(config(nil))
	if err != nil {
		t.Fatal(err)
	}
	conn, err := s.dial(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// params are the connector's parameters for this slapd, with overrides.
func params(over map[string]string) []string {
	p := map[string]string{
		pURL: slapd.ldapiURL, pBindDN: slapd.adminDN, pPassword: slapd.adminPassword,
		pFillRequired: "1", pExcluded: "preferredDeliveryMethod",
	}
	for k, v := range over {
		p[k] = v
	}
	var out []string
	for k, v := range p {
		out = append(out, k+"="+v)
	}
	return out
}

func config(over map[string]string) ecma2.Config {
	var ps []*pb.ConfigParameter
	for _, kv := range params(over) {
		k, v, _ := strings.Cut(kv, "=")
		if k == pPassword {
			ps = append(ps, &pb.ConfigParameter{Name: k, IsEncrypted: true, SecureValue: &pb.Secret{Value: v}})
			continue
		}
		ps = append(ps, &pb.ConfigParameter{Name: k, Value: v})
	}
	return ecma2.NewConfig(ps)
}

func TestValidation(t *testing.T) {
	for _, tc := range []struct {
		name  string
		over  map[string]string
		param string // "" = success
		text  string
	}{
		{"the test configuration", nil, "", ""},
		{"plain ldap on 127.0.0.1", map[string]string{pURL: slapd.ldapURL}, "", ""},
		{"a wrong password", map[string]string{pPassword: "not-the-password"}, pPassword, "invalid credentials"},
		{"an unreachable server", map[string]string{pURL: "ldap://127.0.0.1:1"}, pURL, "cannot reach"},
		{"no URL", map[string]string{pURL: ""}, pURL, "is empty"},
		{"not an LDAP URL", map[string]string{pURL: "http://x"}, pURL, "not an ldap://"},
		{"a bind DN that is no DN", map[string]string{pBindDN: "admin"}, pBindDN, "not a DN"},
		{"StartTLS on ldapi", map[string]string{pStartTLS: "1"}, pStartTLS, "only applies"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := validate(context.Background(), config(tc.over))
			ok := r.GetCode() == pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_SUCCESS
			if tc.param == "" {
				if !ok {
					t.Fatalf("refused: %v", r)
				}
				return
			}
			if ok || r.GetErrorParameter() != tc.param || !strings.Contains(r.GetErrorMessage(), tc.text) {
				t.Fatalf("got %v, want a failure naming %s with %q", r, tc.param, tc.text)
			}
			if strings.Contains(r.GetErrorMessage(), "not-the-password") {
				t.Fatal("the password is in the message")
			}
		})
	}
}

func TestPartitionsHierarchyAndSchema(t *testing.T) {
	l := &LDAP{}
	ctx := context.Background()
	parts, err := l.GetPartitions(ctx, config(nil))
	if err != nil {
		t.Fatal(err)
	}
	var dns []string
	for _, p := range parts {
		dns = append(dns, p.GetDn())
	}
	if strings.Join(dns, " ") != contexts {
		t.Fatalf("partitions %v, want %s (no accesslog)", dns, contexts)
	}
	nodes, err := l.GetHierarchy(ctx, config(nil), &pb.HierarchyNode{Dn: "dc=example,dc=org"})
	names := map[string]bool{}
	for _, n := range nodes {
		names[n.GetDisplayName()] = true
	}
	if err != nil || !names["People"] || !names["Staff"] {
		t.Fatalf("hierarchy %v %v", nodes, err)
	}
	if _, err := l.GetHierarchy(ctx, config(nil), &pb.HierarchyNode{Dn: "ou=Nowhere,dc=example,dc=org"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("the hierarchy of a missing container: %v", err)
	}
	schema, err := l.GetSchema(ctx, config(nil))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]map[string]*pb.SchemaAttribute{}
	for _, ty := range schema.GetTypes() {
		types[ty.GetName()] = map[string]*pb.SchemaAttribute{}
		for _, a := range ty.GetAttributes() {
			types[ty.GetName()][a.GetName()] = a
		}
	}
	if a := types["groupOfNames"]["member"]; a.GetDataType() != pb.AttributeType_ATTRIBUTE_TYPE_REFERENCE || !a.GetIsMultiValued() {
		t.Errorf("groupOfNames.member: %v", a)
	}
	if a := types["inetOrgPerson"]["displayName"]; a.GetDataType() != pb.AttributeType_ATTRIBUTE_TYPE_STRING || a.GetIsMultiValued() {
		t.Errorf("inetOrgPerson.displayName: %v", a)
	}
	if a := types["inetOrgPerson"]["entryUUID"]; !a.GetIsAnchor() {
		t.Errorf("inetOrgPerson.entryUUID: %v", a)
	}
	if _, ok := types["inetOrgPerson"]["preferredDeliveryMethod"]; ok {
		t.Error("an excluded attribute is in the schema")
	}
	if _, err := l.GetSchema(ctx, config(map[string]string{pObjectTypes: "noSuchClass"})); err == nil || !strings.Contains(err.Error(), "noSuchClass") {
		t.Fatalf("an unknown class: %v", err)
	}
}
