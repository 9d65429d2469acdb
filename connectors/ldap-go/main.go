// Command ldap-go is an ECMA2 connector for LDAP directories (tested against OpenLDAP): LDAP
// DN style, the server's naming contexts as partitions, organizational units as hierarchy,
// entryUUID anchors, schema from the subschema, paged full import, delta import from the
// accesslog overlay, export with per-entry results, and RFC 3062 password set and change.
package main

import (
	"context"
	"crypto/sha1"
	"fmt"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

func main() {
	ecma2.Main(registration())
}

func registration() ecma2.Connector {
	return ecma2.Connector{
		Name:            "ldap-go",
		Version:         "0.1.0",
		New:             func() any { return &LDAP{} },
		ImportPageSizes: ecma2.PageSizes{Default: 500, Max: 5000},
		ExportPageSizes: ecma2.PageSizes{Default: 100, Max: 1000},
	}
}

// LDAP is one connector value; the SDK makes a fresh one per session.
type LDAP struct {
	settings *settings
	conn     *ldap.Conn
	sub      *subschema
	schema   *pb.Schema
	imp      *importRun
}

// GetConfigParameters lists the Connectivity page; the other pages are empty.
func (l *LDAP) GetConfigParameters(_ context.Context, _ ecma2.Config, page pb.ConfigParameterPage) ([]*pb.ConfigParameterDefinition, error) {
	if page != pb.ConfigParameterPage_CONFIG_PARAMETER_PAGE_CONNECTIVITY {
		return nil, nil
	}
	return definitions(), nil
}

// ValidateConfigParameters checks the parameters and binds to the server.
func (l *LDAP) ValidateConfigParameters(ctx context.Context, cfg ecma2.Config, page pb.ConfigParameterPage) (*pb.ParameterValidationResult, error) {
	if page != pb.ConfigParameterPage_CONFIG_PARAMETER_PAGE_CONNECTIVITY {
		return &pb.ParameterValidationResult{Code: pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_SUCCESS}, nil
	}
	return validate(ctx, cfg), nil
}

// GetCapabilitiesEx: LDAP DN style with renames, delta import, partitions, hierarchy and
// passwords.
func (l *LDAP) GetCapabilitiesEx(context.Context, ecma2.Config) (*pb.MACapabilities, error) {
	return &pb.MACapabilities{
		DistinguishedNameStyle:         pb.MADistinguishedNameStyle_MA_DISTINGUISHED_NAME_STYLE_LDAP,
		ObjectRename:                   ecma2.Bool(true),
		NoReferenceValuesInFirstExport: ecma2.Bool(false),
		DeltaImport:                    ecma2.Bool(true),
		ConcurrentOperation:            ecma2.Bool(true),
		DeleteAddAsReplace:             ecma2.Bool(false),
		ExportPasswordInFirstPass:      ecma2.Bool(false),
		FullExport:                     ecma2.Bool(false),
		ObjectConfirmation:             pb.MAObjectConfirmation_MA_OBJECT_CONFIRMATION_NORMAL,
		ExportType:                     pb.MAExportType_MA_EXPORT_TYPE_ATTRIBUTE_UPDATE,
		IsDnAsAnchor:                   ecma2.Bool(false),
		SupportImport:                  ecma2.Bool(true),
		SupportExport:                  ecma2.Bool(true),
		SupportPartitions:              ecma2.Bool(true),
		SupportPassword:                ecma2.Bool(true),
		SupportHierarchy:               ecma2.Bool(true),
	}, nil
}

// connect parses the configuration and binds; every failure is a fault naming the problem.
func (l *LDAP) connect(ctx context.Context, cfg ecma2.Config) error {
	s, err := parseSettings(cfg)
	if err != nil {
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "%v", err)
	}
	conn, err := s.dial(ctx)
	if err != nil {
		return err
	}
	l.settings, l.conn = s, conn
	return nil
}

func (l *LDAP) close() {
	if l.conn != nil {
		l.conn.Close()
		l.conn = nil
	}
}

// GetSchema discovers the configured object classes from the subschema.
func (l *LDAP) GetSchema(ctx context.Context, cfg ecma2.Config) (*pb.Schema, error) {
	if err := l.connect(ctx, cfg); err != nil {
		return nil, err
	}
	defer l.close()
	sub, err := loadSubschema(l.conn)
	if err != nil {
		return nil, err
	}
	schema, err := buildSchema(sub, l.settings.classes, l.settings.excluded)
	if err != nil {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_NO_SUCH_CLASS_EXCEPTION, "%v", err)
	}
	return schema, nil
}

// namingContexts lists the server's naming contexts, without the accesslog database.
func (l *LDAP) namingContexts() ([]string, error) {
	res, err := l.conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"namingContexts"}, nil))
	if err != nil || len(res.Entries) == 0 {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION, "reading the root DSE's namingContexts: %v", err)
	}
	var out []string
	for _, nc := range res.Entries[0].GetAttributeValues("namingContexts") {
		if !sameDN(nc, l.settings.accesslog) {
			out = append(out, nc)
		}
	}
	return out, nil
}

// GetPartitions: one partition per naming context, identified by its DN.
func (l *LDAP) GetPartitions(ctx context.Context, cfg ecma2.Config) ([]*pb.Partition, error) {
	if err := l.connect(ctx, cfg); err != nil {
		return nil, err
	}
	defer l.close()
	ncs, err := l.namingContexts()
	if err != nil {
		return nil, err
	}
	out := make([]*pb.Partition, 0, len(ncs))
	for _, nc := range ncs {
		out = append(out, &pb.Partition{Identifier: partitionID(nc), Dn: nc, Name: nc})
	}
	return out, nil
}

// partitionID is a naming context's Partition.Identifier: ECMA2 wants a GUID, and a name-based
// one (RFC 4122 version 5, SHA-1 of the DN) stays the same across calls and restarts.
func partitionID(dn string) string {
	sum := sha1.Sum([]byte("ecma2 ldap-go partition " + strings.ToLower(dn)))
	sum[6] = sum[6]&0x0f | 0x50
	sum[8] = sum[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}

// containerFilter selects the entries shown as hierarchy nodes.
const containerFilter = "(|(objectClass=organizationalUnit)(objectClass=organization)(objectClass=dcObject)(objectClass=domain)(objectClass=locality)(objectClass=country))"

// GetHierarchy returns the containers directly under parent (a partition's DN to start).
func (l *LDAP) GetHierarchy(ctx context.Context, cfg ecma2.Config, parent *pb.HierarchyNode) ([]*pb.HierarchyNode, error) {
	if err := l.connect(ctx, cfg); err != nil {
		return nil, err
	}
	defer l.close()
	if parent.GetDn() == "" {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_INVALID_DN_EXCEPTION, "GetHierarchy needs a parent DN (a partition's DN to start)")
	}
	res, err := l.conn.Search(ldap.NewSearchRequest(parent.GetDn(), ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		containerFilter, []string{"ou", "o", "dc", "l", "c"}, nil))
	if err != nil {
		return nil, searchFault(err, parent.GetDn())
	}
	out := make([]*pb.HierarchyNode, 0, len(res.Entries))
	for _, e := range res.Entries {
		rdn, _, _ := strings.Cut(e.DN, ",")
		_, name, _ := strings.Cut(rdn, "=")
		out = append(out, &pb.HierarchyNode{Dn: e.DN, DisplayName: name})
	}
	return out, nil
}

func searchFault(err error, base string) error {
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		return ecma2.NoSuchObject("%s does not exist", base)
	}
	if ldap.IsErrorWithCode(err, ldap.ErrorNetwork) {
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_DROPPED_CONNECTION_EXCEPTION, "the connection to the directory dropped: %v", err)
	}
	return ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION, "searching %s: %v", base, err)
}

// sameDN compares two DNs the LDAP way (case and spacing insensitive).
func sameDN(a, b string) bool {
	da, err1 := ldap.ParseDN(a)
	db, err2 := ldap.ParseDN(b)
	if err1 != nil || err2 != nil {
		return strings.EqualFold(a, b)
	}
	return da.EqualFold(db)
}
