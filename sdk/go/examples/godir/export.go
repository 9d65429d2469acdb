package main

// Export: add, update and delete people; one result per entry.

import (
	"context"
	"fmt"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
)

// OpenExportConnection checks the configuration.
func (g *Godir) OpenExportConnection(_ context.Context, open *ecma2.ExportOpen) error {
	if err := g.configure(open.Config); err != nil {
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "%v", err)
	}
	return nil
}

// PutExportEntries applies a batch to the file, in one write.
func (g *Godir) PutExportEntries(ctx context.Context, entries []*pb.CSEntryChange) ([]*pb.CSEntryChangeResult, error) {
	fileLock.Lock()
	defer fileLock.Unlock()
	st, err := load(g.path, g.seed)
	if err != nil {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "%v", err)
	}
	results := make([]*pb.CSEntryChangeResult, 0, len(entries))
	for _, e := range entries {
		results = append(results, g.apply(st, e))
	}
	if err := save(g.path, st); err != nil {
		return nil, err
	}
	ecma2.Logger(ctx).Info("batch exported", "entries", len(entries))
	return results, nil
}

func (g *Godir) apply(st *Store, e *pb.CSEntryChange) *pb.CSEntryChangeResult {
	switch e.GetObjectModificationType() {
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD:
		if st.byDN(e.GetDn()) != nil {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT,
				"ObjectAlreadyExists", fmt.Sprintf("%s already exists", e.GetDn()))
		}
		cn, ok := cnOf(e.GetDn())
		if !ok {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN,
				"InvalidDN", fmt.Sprintf("%q is not CN=...,OU=People,DC=godir", e.GetDn()))
		}
		p := &Person{ID: fmt.Sprintf("g%06d", st.Seq+1), CN: cn, Active: true, Created: st.Seq + 1}
		if msg := setAttributes(p, e.GetAttributeChanges()); msg != "" {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "InvalidAttributeValue", msg)
		}
		st.People[p.ID] = p
		st.record(p.ID, false)
		return ecma2.Success(e.GetIdentifier(), ecma2.AttributeAdd("id", false, ecma2.StringValue(p.ID)))
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_UPDATE, pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_REPLACE:
		p := find(st, e)
		if p == nil {
			return missing(e)
		}
		if msg := setAttributes(p, e.GetAttributeChanges()); msg != "" {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE, "InvalidAttributeValue", msg)
		}
		st.record(p.ID, false)
		return ecma2.Success(e.GetIdentifier())
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_DELETE:
		p := find(st, e)
		if p == nil {
			return missing(e)
		}
		delete(st.People, p.ID)
		st.record(p.ID, true)
		return ecma2.Success(e.GetIdentifier())
	}
	return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN,
		"UnsupportedChange", fmt.Sprintf("modification type %s is not supported", e.GetObjectModificationType()))
}

func missing(e *pb.CSEntryChange) *pb.CSEntryChangeResult {
	return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT,
		"NoSuchObject", fmt.Sprintf("%s does not exist", e.GetDn()))
}

// find locates an entry's person by anchor, then by DN.
func find(st *Store, e *pb.CSEntryChange) *Person {
	for _, a := range e.GetAnchorAttributes() {
		if a.GetName() == "id" {
			if p := st.People[ecma2.ValueText(a.GetValue())]; p != nil {
				return p
			}
		}
	}
	return st.byDN(e.GetDn())
}

func cnOf(dn string) (string, bool) {
	first, rest, ok := strings.Cut(dn, ",")
	if !ok || !equalFold(strings.ReplaceAll(rest, " ", ""), "OU=People,DC=godir") {
		return "", false
	}
	k, v, ok := strings.Cut(first, "=")
	if !ok || !equalFold(strings.TrimSpace(k), "CN") || strings.TrimSpace(v) == "" {
		return "", false
	}
	return strings.TrimSpace(v), true
}

func equalFold(a, b string) bool { return strings.EqualFold(a, b) }

// setAttributes applies attribute changes; it returns a message for a value it cannot take.
func setAttributes(p *Person, changes []*pb.AttributeChange) string {
	for _, ac := range changes {
		var text string
		var flag bool
		deleted := ac.GetModificationType() == pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_DELETE
		if values := ecma2.Values(ac); len(values) > 0 && !deleted {
			text = ecma2.ValueText(values[0])
			flag = values[0].GetBooleanValue()
		}
		switch strings.ToLower(ac.GetName()) {
		case "cn":
			if text == "" {
				return "cn cannot be empty"
			}
			p.CN = text
		case "mail":
			p.Mail = text
		case "title":
			p.Title = text
		case "department":
			p.Department = text
		case "active":
			p.Active = flag
		case "id":
			return "id is assigned by godir"
		default:
			return fmt.Sprintf("no attribute %q on person", ac.GetName())
		}
	}
	return ""
}

// CloseExportConnection has nothing to release.
func (g *Godir) CloseExportConnection(context.Context, *pb.CloseExportConnectionRunStep) error {
	return nil
}
