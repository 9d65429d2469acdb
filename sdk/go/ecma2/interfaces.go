package ecma2

// The ECMA2 interfaces as Go interfaces, and the registration of a connector.

import (
	"context"
	"fmt"

	pb "ecma2host.dev/sdk/go/ecma2v1"
)

// Connector registers a connector with the SDK.
type Connector struct {
	// Name and Version are announced in the handshake.
	Name    string
	Version string
	// New returns a fresh connector value. The SDK calls it once per session (import, export,
	// password) and once per stateless call, so a value never serves two sessions. The value
	// implements any subset of the interfaces of this package.
	New func() any
	// ImportPageSizes and ExportPageSizes are ECMA2's ImportDefaultPageSize/ImportMaxPageSize
	// and ExportDefaultPageSize/ExportMaxPageSize. Required when the connector implements
	// CallImport or CallExport (1 <= Default <= Max).
	ImportPageSizes PageSizes
	ExportPageSizes PageSizes
}

// PageSizes is a default and a maximum page size.
type PageSizes struct {
	Default int32
	Max     int32
}

// CallImport is IMAExtensible2CallImport: a session of pages.
type CallImport interface {
	// OpenImportConnection starts a run. open.Step.PageSize is the page size in force (never 0).
	OpenImportConnection(ctx context.Context, open *ImportOpen) (*pb.OpenImportConnectionResults, error)
	// GetImportEntries returns the next page: at most the page size entries. When
	// step.FullObjectEntries is not empty, it returns exactly those objects, complete.
	GetImportEntries(ctx context.Context, step *pb.GetImportEntriesRunStep) (*ImportPage, error)
	// CloseImportConnection ends the run; its custom data is the watermark to commit.
	CloseImportConnection(ctx context.Context, step *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error)
}

// ImportOpen is what OpenImportConnection receives.
type ImportOpen struct {
	Config Config
	Schema *pb.Schema
	Step   *pb.OpenImportConnectionRunStep
}

// ImportPage is one page of an import.
type ImportPage struct {
	Entries      []*pb.CSEntryChange
	CustomData   string
	MoreToImport bool
}

// CallExport is IMAExtensible2CallExport.
type CallExport interface {
	// OpenExportConnection starts a run. open.Step.BatchSize is the batch size in force.
	OpenExportConnection(ctx context.Context, open *ExportOpen) error
	// PutExportEntries exports one batch and returns one result per entry. Object-level
	// failures are results, never errors.
	PutExportEntries(ctx context.Context, entries []*pb.CSEntryChange) ([]*pb.CSEntryChangeResult, error)
	// CloseExportConnection ends the run.
	CloseExportConnection(ctx context.Context, step *pb.CloseExportConnectionRunStep) error
}

// ExportOpen is what OpenExportConnection receives.
type ExportOpen struct {
	Config Config
	Schema *pb.Schema
	Step   *pb.OpenExportConnectionRunStep
}

// FileImport is IMAExtensible2FileImport.
type FileImport interface {
	WriteImportFile(ctx context.Context, config Config, schema *pb.Schema, step *pb.WriteImportFileRunStep) (*pb.WriteImportFileResults, error)
}

// FileExport is IMAExtensible2FileExport.
type FileExport interface {
	ReadExportFile(ctx context.Context, config Config, schema *pb.Schema, step *pb.ReadExportFileRunStep) error
}

// GetSchema is IMAExtensible2GetSchema.
type GetSchema interface {
	GetSchema(ctx context.Context, config Config) (*pb.Schema, error)
}

// GetPartitions is IMAExtensible2GetPartitions.
type GetPartitions interface {
	GetPartitions(ctx context.Context, config Config) ([]*pb.Partition, error)
}

// GetHierarchy is IMAExtensible2GetHierarchy: the direct children of parent.
type GetHierarchy interface {
	GetHierarchy(ctx context.Context, config Config, parent *pb.HierarchyNode) ([]*pb.HierarchyNode, error)
}

// GetCapabilities is IMAExtensible2GetCapabilities (the Capabilities property).
type GetCapabilities interface {
	Capabilities(ctx context.Context) (*pb.MACapabilities, error)
}

// GetCapabilitiesEx is IMAExtensible2GetCapabilitiesEx.
type GetCapabilitiesEx interface {
	GetCapabilitiesEx(ctx context.Context, config Config) (*pb.MACapabilities, error)
}

// GetParameters is IMAExtensible2GetParameters.
type GetParameters interface {
	GetConfigParameters(ctx context.Context, config Config, page pb.ConfigParameterPage) ([]*pb.ConfigParameterDefinition, error)
	ValidateConfigParameters(ctx context.Context, config Config, page pb.ConfigParameterPage) (*pb.ParameterValidationResult, error)
}

// GetParametersEx is IMAExtensible2GetParametersEx.
type GetParametersEx interface {
	GetConfigParametersEx(ctx context.Context, config Config, page pb.ConfigParameterPage, pageNumber int32) ([]*pb.ConfigParameterDefinition, error)
	ValidateConfigParametersEx(ctx context.Context, config Config, page pb.ConfigParameterPage, pageNumber int32) (*pb.ParameterValidationResult, error)
}

// Password is IMAExtensible2Password: a session of password operations.
type Password interface {
	OpenPasswordConnection(ctx context.Context, config Config, partition *pb.Partition) error
	GetConnectionSecurityLevel(ctx context.Context) (pb.ConnectionSecurityLevel, error)
	SetPassword(ctx context.Context, entry *pb.CSEntry, newPassword Secret, options []pb.PasswordOption) error
	ChangePassword(ctx context.Context, entry *pb.CSEntry, oldPassword, newPassword Secret) error
	ClosePasswordConnection(ctx context.Context) error
}

// interfacesOf lists the ECMA2 interfaces a connector value implements, in wire order.
func interfacesOf(v any) []pb.Ecma2Interface {
	var out []pb.Ecma2Interface
	add := func(ok bool, i pb.Ecma2Interface) {
		if ok {
			out = append(out, i)
		}
	}
	_, ok := v.(CallImport)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT)
	_, ok = v.(CallExport)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT)
	_, ok = v.(FileImport)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_FILE_IMPORT)
	_, ok = v.(FileExport)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_FILE_EXPORT)
	_, ok = v.(GetSchema)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_SCHEMA)
	_, ok = v.(GetPartitions)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARTITIONS)
	_, ok = v.(GetHierarchy)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_HIERARCHY)
	_, ok = v.(GetCapabilities)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES)
	_, ok = v.(GetCapabilitiesEx)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES_EX)
	_, ok = v.(GetParameters)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS)
	_, ok = v.(GetParametersEx)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS_EX)
	_, ok = v.(Password)
	add(ok, pb.Ecma2Interface_ECMA2_INTERFACE_PASSWORD)
	return out
}

// interfaceName is the ECMA2 name of an interface, for EntryPointNotImplementedException.
func interfaceName(i pb.Ecma2Interface) string {
	switch i {
	case pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT:
		return "IMAExtensible2CallImport"
	case pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT:
		return "IMAExtensible2CallExport"
	case pb.Ecma2Interface_ECMA2_INTERFACE_FILE_IMPORT:
		return "IMAExtensible2FileImport"
	case pb.Ecma2Interface_ECMA2_INTERFACE_FILE_EXPORT:
		return "IMAExtensible2FileExport"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_SCHEMA:
		return "IMAExtensible2GetSchema"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARTITIONS:
		return "IMAExtensible2GetPartitions"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_HIERARCHY:
		return "IMAExtensible2GetHierarchy"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES:
		return "IMAExtensible2GetCapabilities"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES_EX:
		return "IMAExtensible2GetCapabilitiesEx"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS:
		return "IMAExtensible2GetParameters"
	case pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS_EX:
		return "IMAExtensible2GetParametersEx"
	case pb.Ecma2Interface_ECMA2_INTERFACE_PASSWORD:
		return "IMAExtensible2Password"
	}
	return i.String()
}

// validate checks a registration before anything listens.
func (c *Connector) validate() ([]pb.Ecma2Interface, error) {
	if c.Name == "" {
		return nil, fmt.Errorf("ecma2.Connector.Name is empty")
	}
	if c.New == nil {
		return nil, fmt.Errorf("ecma2.Connector.New is nil for connector %q", c.Name)
	}
	probe := c.New()
	interfaces := interfacesOf(probe)
	if len(interfaces) == 0 {
		return nil, fmt.Errorf("connector %q: %T implements no ECMA2 interface (ecma2.CallImport, ecma2.GetSchema, ...)", c.Name, probe)
	}
	for _, check := range []struct {
		has   bool
		sizes PageSizes
		what  string
	}{
		{contains(interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT), c.ImportPageSizes, "ImportPageSizes"},
		{contains(interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT), c.ExportPageSizes, "ExportPageSizes"},
	} {
		if check.has && (check.sizes.Default < 1 || check.sizes.Max < check.sizes.Default) {
			return nil, fmt.Errorf("connector %q: %s needs 1 <= Default (%d) <= Max (%d)", c.Name, check.what, check.sizes.Default, check.sizes.Max)
		}
	}
	return interfaces, nil
}

func contains(list []pb.Ecma2Interface, i pb.Ecma2Interface) bool {
	for _, x := range list {
		if x == i {
			return true
		}
	}
	return false
}
