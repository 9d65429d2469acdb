// Command hello is a connector with a fixed list of people, imported in full.
package main

import (
	"context"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
)

var people = []string{"Ada Lovelace", "Grace Hopper", "Alan Turing"}

// Hello is one connector value; the SDK makes a fresh one for every session.
type Hello struct {
	next, pageSize int
}

// Capabilities tells the engine what this connector does: full import only.
func (h *Hello) Capabilities(context.Context) (*pb.MACapabilities, error) {
	return &pb.MACapabilities{
		DistinguishedNameStyle: pb.MADistinguishedNameStyle_MA_DISTINGUISHED_NAME_STYLE_GENERIC,
		DeltaImport:            ecma2.Bool(false),
		SupportExport:          ecma2.Bool(false),
		SupportPartitions:      ecma2.Bool(false),
		SupportHierarchy:       ecma2.Bool(false),
		SupportPassword:        ecma2.Bool(false),
	}, nil
}

// GetSchema has one object type, person, anchored on its name.
func (h *Hello) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	return &pb.Schema{Types: []*pb.SchemaType{{
		Name: "person",
		Attributes: []*pb.SchemaAttribute{
			{Name: "name", DataType: pb.AttributeType_ATTRIBUTE_TYPE_STRING, IsAnchor: true},
			{Name: "initials", DataType: pb.AttributeType_ATTRIBUTE_TYPE_STRING},
		},
	}}}, nil
}

// OpenImportConnection starts a run; the SDK has already applied the page-size rules.
func (h *Hello) OpenImportConnection(_ context.Context, open *ecma2.ImportOpen) (*pb.OpenImportConnectionResults, error) {
	h.pageSize = int(open.Step.GetPageSize())
	return &pb.OpenImportConnectionResults{}, nil
}

// GetImportEntries returns the next page, at most pageSize people.
func (h *Hello) GetImportEntries(ctx context.Context, _ *pb.GetImportEntriesRunStep) (*ecma2.ImportPage, error) {
	page := &ecma2.ImportPage{}
	for len(page.Entries) < h.pageSize && h.next < len(people) {
		if err := ctx.Err(); err != nil {
			return nil, err // the engine stopped the run
		}
		name := people[h.next]
		h.next++
		page.Entries = append(page.Entries, &pb.CSEntryChange{
			ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD,
			ObjectType:             "person",
			Dn:                     "CN=" + name,
			AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("name", ecma2.StringValue(name))},
			AttributeChanges: []*pb.AttributeChange{
				ecma2.AttributeAdd("name", false, ecma2.StringValue(name)),
				ecma2.AttributeAdd("initials", false, ecma2.StringValue(name[:1])),
			},
		})
	}
	page.MoreToImport = h.next < len(people)
	return page, nil
}

// CloseImportConnection ends the run.
func (h *Hello) CloseImportConnection(ctx context.Context, step *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error) {
	ecma2.Logger(ctx).Info("import closed", "reason", step.GetReason().String())
	return &pb.CloseImportConnectionResults{}, nil
}

func main() {
	ecma2.Main(ecma2.Connector{
		Name:            "hello",
		Version:         "0.1.0",
		New:             func() any { return &Hello{} },
		ImportPageSizes: ecma2.PageSizes{Default: 100, Max: 1000},
	})
}
