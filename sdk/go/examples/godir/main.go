// Command godir is the small example connector of the Go SDK: a directory of people kept in a
// JSON file, with full and delta import and export. sdk/go/README.md walks through it.
package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
)

func main() {
	ecma2.Main(ecma2.Connector{
		Name:            "godir",
		Version:         "0.1.0",
		New:             func() any { return &Godir{} },
		ImportPageSizes: ecma2.PageSizes{Default: 50, Max: 500},
		ExportPageSizes: ecma2.PageSizes{Default: 50, Max: 500},
	})
}

const (
	paramFile = "Directory file"
	paramSeed = "Seed users"
)

// Godir is one connector value: the SDK makes a fresh one per session.
type Godir struct {
	path    string
	seed    int
	store   *Store   // the snapshot an import run reads
	pending []string // the ids still to import
	delta   []*pb.CSEntryChange
	mark    int64
	size    int32 // the page size in force
}

// GetConfigParameters lists the Connectivity page.
func (g *Godir) GetConfigParameters(_ context.Context, _ ecma2.Config, page pb.ConfigParameterPage) ([]*pb.ConfigParameterDefinition, error) {
	if page != pb.ConfigParameterPage_CONFIG_PARAMETER_PAGE_CONNECTIVITY {
		return nil, nil
	}
	return []*pb.ConfigParameterDefinition{
		{Name: paramFile, Type: pb.ConfigParameterType_CONFIG_PARAMETER_TYPE_STRING},
		{Name: paramSeed, Type: pb.ConfigParameterType_CONFIG_PARAMETER_TYPE_STRING, DefaultValue: "0"},
	}, nil
}

// ValidateConfigParameters names the parameter that is wrong.
func (g *Godir) ValidateConfigParameters(_ context.Context, cfg ecma2.Config, _ pb.ConfigParameterPage) (*pb.ParameterValidationResult, error) {
	if err := g.configure(cfg); err != nil {
		return &pb.ParameterValidationResult{
			Code:           pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_FAILURE,
			ErrorMessage:   err.Error(),
			ErrorParameter: err.(*paramError).name,
		}, nil
	}
	return &pb.ParameterValidationResult{Code: pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_SUCCESS}, nil
}

type paramError struct{ name, msg string }

func (e *paramError) Error() string { return e.name + ": " + e.msg }

func (g *Godir) configure(cfg ecma2.Config) error {
	g.path = strings.TrimSpace(cfg.String(paramFile))
	if g.path == "" {
		return &paramError{paramFile, "is empty; give the path of the directory's JSON file"}
	}
	if s := strings.TrimSpace(cfg.String(paramSeed)); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return &paramError{paramSeed, fmt.Sprintf("%q is not a number of users", s)}
		}
		g.seed = n
	}
	return nil
}

// Capabilities are ECMA2's MACapabilities.
func (g *Godir) Capabilities(context.Context) (*pb.MACapabilities, error) {
	return &pb.MACapabilities{
		DistinguishedNameStyle: pb.MADistinguishedNameStyle_MA_DISTINGUISHED_NAME_STYLE_GENERIC,
		ObjectRename:           ecma2.Bool(false),
		DeltaImport:            ecma2.Bool(true),
		ConcurrentOperation:    ecma2.Bool(true),
		ExportType:             pb.MAExportType_MA_EXPORT_TYPE_ATTRIBUTE_UPDATE,
		SupportImport:          ecma2.Bool(true),
		SupportExport:          ecma2.Bool(true),
		SupportPartitions:      ecma2.Bool(false),
		SupportPassword:        ecma2.Bool(false),
		SupportHierarchy:       ecma2.Bool(false),
	}, nil
}

// GetSchema has one object type, person, anchored on id.
func (g *Godir) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	str := pb.AttributeType_ATTRIBUTE_TYPE_STRING
	return &pb.Schema{Types: []*pb.SchemaType{{
		Name: "person",
		Attributes: []*pb.SchemaAttribute{
			{Name: "id", DataType: str, IsAnchor: true, AllowedAttributeOperation: pb.AttributeOperation_ATTRIBUTE_OPERATION_IMPORT_ONLY},
			{Name: "cn", DataType: str},
			{Name: "mail", DataType: str},
			{Name: "title", DataType: str},
			{Name: "department", DataType: str},
			{Name: "active", DataType: pb.AttributeType_ATTRIBUTE_TYPE_BOOLEAN},
		},
	}}}, nil
}

func (g *Godir) entry(p *Person, mod pb.ObjectModificationType) *pb.CSEntryChange {
	e := &pb.CSEntryChange{
		ObjectModificationType: mod,
		ObjectType:             "person",
		Dn:                     p.DN(),
		AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("id", ecma2.StringValue(p.ID))},
		AttributeChanges: []*pb.AttributeChange{
			ecma2.AttributeAdd("id", false, ecma2.StringValue(p.ID)),
			ecma2.AttributeAdd("cn", false, ecma2.StringValue(p.CN)),
			ecma2.AttributeAdd("active", false, ecma2.BooleanValue(p.Active)),
		},
	}
	for name, v := range map[string]string{"mail": p.Mail, "title": p.Title, "department": p.Department} {
		if v != "" {
			e.AttributeChanges = append(e.AttributeChanges, ecma2.AttributeAdd(name, false, ecma2.StringValue(v)))
		}
	}
	return e
}

// OpenImportConnection reads a snapshot of the file.
func (g *Godir) OpenImportConnection(ctx context.Context, open *ecma2.ImportOpen) (*pb.OpenImportConnectionResults, error) {
	if err := g.configure(open.Config); err != nil {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "%v", err)
	}
	fileLock.Lock()
	st, err := load(g.path, g.seed)
	fileLock.Unlock()
	if err != nil {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "%v", err)
	}
	g.store, g.mark, g.size = st, st.Seq, open.Step.GetPageSize()
	switch open.Step.GetImportType() {
	case pb.OperationType_OPERATION_TYPE_DELTA:
		since, err := strconv.ParseInt(open.Step.GetCustomData(), 10, 64)
		if err != nil {
			return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION, "watermark %q is not a godir sequence number", open.Step.GetCustomData())
		}
		g.delta = g.changesSince(since)
	default:
		g.pending = st.sortedIDs()
	}
	ecma2.Logger(ctx).Info("import opened", "type", open.Step.GetImportType().String(), "objects", len(g.pending)+len(g.delta))
	return &pb.OpenImportConnectionResults{CustomData: strconv.FormatInt(g.mark, 10)}, nil
}

// changesSince folds the change log after a watermark into one change per object.
func (g *Godir) changesSince(since int64) []*pb.CSEntryChange {
	seen := map[string]bool{}
	var out []*pb.CSEntryChange
	for i := len(g.store.Changes) - 1; i >= 0; i-- {
		c := g.store.Changes[i]
		if c.Seq <= since || seen[c.ID] {
			continue
		}
		seen[c.ID] = true
		if p := g.store.People[c.ID]; p != nil {
			mod := pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_REPLACE
			if p.Created > since {
				mod = pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD
			}
			out = append(out, g.entry(p, mod))
		} else if c.Deleted {
			out = append(out, &pb.CSEntryChange{
				ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_DELETE,
				ObjectType:             "person",
				AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("id", ecma2.StringValue(c.ID))},
			})
		}
	}
	return out
}

// GetImportEntries returns the next page.
func (g *Godir) GetImportEntries(ctx context.Context, step *pb.GetImportEntriesRunStep) (*ecma2.ImportPage, error) {
	size := int(g.size)
	page := &ecma2.ImportPage{CustomData: strconv.FormatInt(g.mark, 10)}
	for len(page.Entries) < size && (len(g.pending) > 0 || len(g.delta) > 0) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(g.delta) > 0 {
			page.Entries, g.delta = append(page.Entries, g.delta[0]), g.delta[1:]
			continue
		}
		id := g.pending[0]
		g.pending = g.pending[1:]
		page.Entries = append(page.Entries, g.entry(g.store.People[id], pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD))
	}
	page.MoreToImport = len(g.pending) > 0 || len(g.delta) > 0
	return page, nil
}

// CloseImportConnection returns the watermark: the sequence number read at open.
func (g *Godir) CloseImportConnection(_ context.Context, step *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error) {
	return &pb.CloseImportConnectionResults{CustomData: strconv.FormatInt(g.mark, 10)}, nil
}
