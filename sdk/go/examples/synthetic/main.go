// Command synthetic is a benchmark source: it imports `objects` generated users, each shaped
// like the Rust SDK's synthetic source in bench/ (an anchor, five strings and an integer, a
// boolean, a reference and a 256-byte photo), so ecma2-bench can compare the SDKs' import
// throughput on the same data.
package main

import (
	"context"
	"fmt"
	"strconv"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
)

func main() {
	ecma2.Main(ecma2.Connector{
		Name:            "synthetic-go",
		Version:         "0.1.0",
		New:             func() any { return &Synthetic{} },
		ImportPageSizes: ecma2.PageSizes{Default: 1000, Max: 10000},
	})
}

// Synthetic is one session's generator.
type Synthetic struct {
	total, next, size int
	photo             []byte
}

// GetSchema is the user type.
func (s *Synthetic) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	str, multi := pb.AttributeType_ATTRIBUTE_TYPE_STRING, false
	return &pb.Schema{Types: []*pb.SchemaType{{Name: "user", Attributes: []*pb.SchemaAttribute{
		{Name: "id", DataType: str, IsAnchor: true},
		{Name: "displayName", DataType: str, IsMultiValued: multi},
		{Name: "mail", DataType: str},
		{Name: "title", DataType: str},
		{Name: "department", DataType: str},
		{Name: "employeeNumber", DataType: pb.AttributeType_ATTRIBUTE_TYPE_INTEGER},
		{Name: "enabled", DataType: pb.AttributeType_ATTRIBUTE_TYPE_BOOLEAN},
		{Name: "manager", DataType: pb.AttributeType_ATTRIBUTE_TYPE_REFERENCE},
		{Name: "photo", DataType: pb.AttributeType_ATTRIBUTE_TYPE_BINARY},
	}}}}, nil
}

// OpenImportConnection reads how many users to generate.
func (s *Synthetic) OpenImportConnection(_ context.Context, open *ecma2.ImportOpen) (*pb.OpenImportConnectionResults, error) {
	n, err := strconv.Atoi(open.Config.String("objects"))
	if err != nil || n < 0 {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_NO_SUCH_PARAMETER_EXCEPTION, "objects=%q is not a count", open.Config.String("objects"))
	}
	s.total, s.size = n, int(open.Step.GetPageSize())
	s.photo = make([]byte, 256)
	return &pb.OpenImportConnectionResults{}, nil
}

// GetImportEntries generates the next page.
func (s *Synthetic) GetImportEntries(ctx context.Context, _ *pb.GetImportEntriesRunStep) (*ecma2.ImportPage, error) {
	page := &ecma2.ImportPage{Entries: make([]*pb.CSEntryChange, 0, s.size)}
	for len(page.Entries) < s.size && s.next < s.total {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n := s.next
		s.next++
		id := fmt.Sprintf("u%07d", n)
		for i := range s.photo {
			s.photo[i] = byte(n*31 + i)
		}
		page.Entries = append(page.Entries, &pb.CSEntryChange{
			ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD,
			ObjectType:             "user",
			Dn:                     "CN=" + id + ",OU=People,DC=synthetic",
			AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("id", ecma2.StringValue(id))},
			AttributeChanges: []*pb.AttributeChange{
				ecma2.AttributeAdd("displayName", false, ecma2.StringValue("Synthetic User "+id)),
				ecma2.AttributeAdd("mail", false, ecma2.StringValue(id+"@synthetic.example")),
				ecma2.AttributeAdd("title", false, ecma2.StringValue("Engineer")),
				ecma2.AttributeAdd("department", false, ecma2.StringValue("Department "+strconv.Itoa(n%50))),
				ecma2.AttributeAdd("employeeNumber", false, ecma2.IntegerValue(int64(n))),
				ecma2.AttributeAdd("enabled", false, ecma2.BooleanValue(n%7 != 0)),
				ecma2.AttributeAdd("manager", false, ecma2.ReferenceValue("CN=u0000000,OU=People,DC=synthetic")),
				ecma2.AttributeAdd("photo", false, ecma2.BinaryValue(append([]byte(nil), s.photo...))),
			},
		})
	}
	page.MoreToImport = s.next < s.total
	return page, nil
}

// CloseImportConnection has nothing to release.
func (s *Synthetic) CloseImportConnection(context.Context, *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error) {
	return &pb.CloseImportConnectionResults{}, nil
}
