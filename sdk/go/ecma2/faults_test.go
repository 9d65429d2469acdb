package ecma2

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc/codes"
)

// The fault table of docs/protocol.md is the contract: every row's exception name and gRPC
// code must be what CodeFor and ExceptionName say.
func TestFaultTableMatchesProtocolDoc(t *testing.T) {
	doc, err := os.ReadFile("../../../docs/protocol.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("^\\| (\\d+) \\| `(FAULT_KIND_\\w+)` \\| ([^|]+) \\| `(\\w+)` \\((\\d+)\\) \\|$")
	rows := 0
	for _, line := range strings.Split(string(doc), "\n") {
		m := row.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		rows++
		value, _ := strconv.Atoi(m[1])
		kind := pb.FaultKind(value)
		if pb.FaultKind_name[int32(value)] != m[2] {
			t.Errorf("value %d is %s in the doc but %s in the generated code", value, m[2], kind)
		}
		wantCode, _ := strconv.Atoi(m[5])
		if got := CodeFor(kind); got != codes.Code(wantCode) {
			t.Errorf("%s: CodeFor = %v, doc says %s (%d)", m[2], got, m[4], wantCode)
		}
		if kind != pb.FaultKind_FAULT_KIND_UNSPECIFIED && ExceptionName(kind) != strings.Trim(m[3], "`") {
			t.Errorf("%s: ExceptionName = %s, doc says %s", m[2], ExceptionName(kind), m[3])
		}
	}
	if rows != len(pb.FaultKind_name) {
		t.Fatalf("the doc's table has %d rows, the FaultKind enum %d values", rows, len(pb.FaultKind_name))
	}
}

type customError struct{}

func (customError) Error() string { return "custom" }

func TestForeignTypeName(t *testing.T) {
	_, statErr := os.Stat("/nonexistent/ecma2")
	for _, tc := range []struct {
		name string
		err  error
		want string
	}{
		{"errors.New", errors.New("x"), "*errors.errorString"},
		{"path error", statErr, "*fs.PathError"},
		{"wrapped path error", fmt.Errorf("reading config: %w", statErr), "*fs.PathError"},
		{"value type", customError{}, "ecma2.customError"},
		{"wrapped twice", fmt.Errorf("a: %w", fmt.Errorf("b: %w", customError{})), "ecma2.customError"},
		{"joined", errors.Join(customError{}, errors.New("y")), "ecma2.customError"},
		{"two %w", fmt.Errorf("%w and %w", statErr, customError{}), "*fs.PathError"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := ForeignTypeName(tc.err); got != tc.want {
				t.Errorf("ForeignTypeName = %q, want %q", got, tc.want)
			}
		})
	}
	var pathErr *fs.PathError
	if !errors.As(statErr, &pathErr) {
		t.Fatal("test setup: no path error")
	}
}

func TestToFault(t *testing.T) {
	where := callInfo{Connector: "c", Call: "GetSchema"}
	for _, tc := range []struct {
		name        string
		err         error
		kind        pb.FaultKind
		foreign     string
		message     string
		wantInner   bool
		wantDNField string
	}{
		{"a fault", ServerDown("db down"), pb.FaultKind_FAULT_KIND_SERVER_DOWN_EXCEPTION, "", "db down", false, ""},
		{"a wrapped fault is found with errors.As", fmt.Errorf("opening: %w", BadServerCredentials("no")), pb.FaultKind_FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION, "", "no", false, ""},
		{"a foreign error", customError{}, pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, "ecma2.customError", "custom", false, ""},
		{"a panic", panicError{value: "boom"}, pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, "panic(string)", "panic: boom", false, ""},
		{"an unset kind", &Fault{Message: "m"}, pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, "", "m", false, ""},
		{"properties and inner", &Fault{Kind: pb.FaultKind_FAULT_KIND_INVALID_DN_EXCEPTION, Message: "bad", DN: "cn=x", Cause: errors.New("inner")}, pb.FaultKind_FAULT_KIND_INVALID_DN_EXCEPTION, "", "bad", true, "cn=x"},
		{"secrets are redacted", ServerDown("bind with hunter2 failed"), pb.FaultKind_FAULT_KIND_SERVER_DOWN_EXCEPTION, "", "bind with [redacted] failed", false, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := toFault(tc.err, where, []string{"hunter2"})
			if f.Kind != tc.kind || f.ForeignTypeName != tc.foreign || f.Message != tc.message {
				t.Errorf("got kind %v foreign %q message %q", f.Kind, f.ForeignTypeName, f.Message)
			}
			if f.Connector != "c" || f.Call != "GetSchema" {
				t.Errorf("where: %q %q", f.Connector, f.Call)
			}
			if (f.Inner != nil) != tc.wantInner || f.Dn != tc.wantDNField {
				t.Errorf("inner %v dn %q", f.Inner, f.Dn)
			}
		})
	}
}

func TestFraming(t *testing.T) {
	big := &pb.CSEntryChange{Dn: "CN=big", AttributeChanges: []*pb.AttributeChange{AttributeAdd("photo", false, BinaryValue(make([]byte, 5000)))}}
	for _, tc := range []struct {
		name      string
		size      int
		fragments int
	}{
		{"fits", 1 << 20, 0},
		{"three fragments", 2000, 3},
		{"exact multiple", 0, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			size := tc.size
			if size == 0 {
				// A fragment size that divides the encoding exactly: still whole when equal.
				size = len(mustMarshal(t, big))
			}
			whole, fragments, err := frame(big, size)
			if err != nil {
				t.Fatal(err)
			}
			if len(fragments) != tc.fragments || (tc.fragments == 0) != (whole != nil) {
				t.Fatalf("whole %v, %d fragments", whole != nil, len(fragments))
			}
			if whole != nil {
				return
			}
			var r reassembler
			for i, f := range fragments {
				got, err := r.add(f)
				if err != nil {
					t.Fatal(err)
				}
				if (got != nil) != (i == len(fragments)-1) || f.GetLast() != (i == len(fragments)-1) {
					t.Fatalf("fragment %d: entry %v last %v", i, got != nil, f.GetLast())
				}
				if got != nil && got.GetDn() != "CN=big" {
					t.Fatalf("reassembled %q", got.GetDn())
				}
			}
		})
	}
}
