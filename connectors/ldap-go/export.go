package main

// Export: add (creating missing parent OUs), modify per value, modrdn for renames and moves,
// delete; one result per entry, LDAP result codes mapped to ECMA2 export errors.

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// OpenExportConnection binds and reads the subschema.
func (l *LDAP) OpenExportConnection(ctx context.Context, open *ecma2.ExportOpen) error {
	if err := l.connect(ctx, open.Config); err != nil {
		return err
	}
	sub, err := loadSubschema(l.conn)
	if err != nil {
		return err
	}
	l.sub = sub
	l.schema = open.Schema
	if len(l.schema.GetTypes()) == 0 {
		if l.schema, err = buildSchema(sub, l.settings.classes, l.settings.excluded); err != nil {
			return ecma2.NewFault(pb.FaultKind_FAULT_KIND_NO_SUCH_CLASS_EXCEPTION, "%v", err)
		}
	}
	return nil
}

// CloseExportConnection releases the connection.
func (l *LDAP) CloseExportConnection(context.Context, *pb.CloseExportConnectionRunStep) error {
	l.close()
	return nil
}

// PutExportEntries exports a batch. An entry's failure is its result; a lost connection
// fails the call (the run cannot go on).
func (l *LDAP) PutExportEntries(ctx context.Context, entries []*pb.CSEntryChange) ([]*pb.CSEntryChangeResult, error) {
	out := make([]*pb.CSEntryChangeResult, 0, len(entries))
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		result, err := l.exportOne(e)
		if ldap.IsErrorWithCode(err, ldap.ErrorNetwork) || ldap.IsErrorWithCode(err, ldap.LDAPResultServerDown) {
			return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_DROPPED_CONNECTION_EXCEPTION, "the connection to the directory dropped while exporting %s: %v", e.GetDn(), err)
		}
		if err != nil {
			result = failure(e, err)
		}
		out = append(out, result)
	}
	ecma2.Logger(ctx).Info("batch exported", "entries", len(entries))
	return out, nil
}

func (l *LDAP) exportOne(e *pb.CSEntryChange) (*pb.CSEntryChangeResult, error) {
	switch e.GetObjectModificationType() {
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD:
		return l.add(e)
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_UPDATE, pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_REPLACE:
		return l.update(e)
	case pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_DELETE:
		dn, err := l.currentDN(e)
		if err != nil {
			return nil, err
		}
		if err := l.conn.Del(ldap.NewDelRequest(dn, nil)); err != nil {
			return nil, err
		}
		return ecma2.Success(e.GetIdentifier()), nil
	}
	return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CUSTOM_CONTINUE_RUN,
		"UnsupportedModification", fmt.Sprintf("object modification type %s is not exported", e.GetObjectModificationType())), nil
}

// valuesOf converts an attribute change's values to LDAP text.
func valuesOf(ac *pb.AttributeChange, wantDelete bool) []string {
	var out []string
	for _, vc := range ac.GetValueChanges() {
		isDelete := vc.GetModificationType() == pb.ValueModificationType_VALUE_MODIFICATION_TYPE_DELETE
		if isDelete != wantDelete {
			continue
		}
		out = append(out, ldapText(vc.GetValue()))
	}
	return out
}

func ldapText(v *pb.AttributeValue) string {
	if b, ok := v.GetKind().(*pb.AttributeValue_BooleanValue); ok {
		if b.BooleanValue {
			return "TRUE"
		}
		return "FALSE"
	}
	if i, ok := v.GetKind().(*pb.AttributeValue_IntegerValue); ok {
		return strconv.FormatInt(i.IntegerValue, 10)
	}
	return ecma2.ValueText(v)
}

func (l *LDAP) add(e *pb.CSEntryChange) (*pb.CSEntryChangeResult, error) {
	dn, err := ldap.ParseDN(e.GetDn())
	if err != nil || len(dn.RDNs) == 0 {
		return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN,
			"InvalidDN", fmt.Sprintf("%q is not a DN", e.GetDn())), nil
	}
	req := ldap.NewAddRequest(e.GetDn(), nil)
	var classes []string
	for _, c := range l.sub.chain(e.GetObjectType()) {
		classes = append([]string{c.names[0]}, classes...)
	}
	if len(classes) == 0 {
		return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE,
			"NoSuchClass", fmt.Sprintf("the server has no object class %q", e.GetObjectType())), nil
	}
	req.Attribute("objectClass", classes)
	present := map[string]bool{}
	for _, ac := range e.GetAttributeChanges() {
		if strings.EqualFold(ac.GetName(), "entryUUID") {
			continue
		}
		vals := valuesOf(ac, false)
		if strings.EqualFold(ac.GetName(), exportPassword) {
			if !l.settings.secure() {
				return insecurePassword(e), nil
			}
			req.Attribute("userPassword", vals)
			continue
		}
		if len(vals) > 0 {
			req.Attribute(ac.GetName(), vals)
			present[strings.ToLower(l.sub.canonical(ac.GetName()))] = true
		}
	}
	// The RDN's values belong in the entry; LDAP refuses an entry without them.
	rdnValue := ""
	for _, av := range dn.RDNs[0].Attributes {
		rdnValue = av.Value
		if !present[strings.ToLower(l.sub.canonical(av.Type))] {
			req.Attribute(av.Type, []string{av.Value})
			present[strings.ToLower(l.sub.canonical(av.Type))] = true
		}
	}
	if l.settings.fillRequired {
		_, must := l.sub.typeAttributes(e.GetObjectType())
		for name := range must {
			if !present[name] {
				req.Attribute(l.sub.canonical(name), []string{rdnValue})
			}
		}
	}
	err = l.conn.Add(req)
	if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
		// A missing parent: create the missing organizational units, then add again.
		if perr := l.provisionParents(dn); perr != nil {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_NON_EXISTING_PARENT,
				"NonExistingParent", fmt.Sprintf("the parent of %s does not exist and could not be created: %v", e.GetDn(), perr)), nil
		}
		err = l.conn.Add(req)
	}
	if err != nil {
		return nil, err
	}
	uuid, err := l.uuidOf(e.GetDn())
	if err != nil {
		return nil, err
	}
	return ecma2.Success(e.GetIdentifier(), ecma2.AttributeAdd("entryUUID", false, ecma2.StringValue(uuid))), nil
}

// provisionParents creates the missing ancestors of dn that are organizational units, top
// down, below an existing entry.
func (l *LDAP) provisionParents(dn *ldap.DN) error {
	var missing []*ldap.DN
	for i := 1; i < len(dn.RDNs); i++ {
		parent := &ldap.DN{RDNs: dn.RDNs[i:]}
		_, err := l.conn.Search(ldap.NewSearchRequest(parent.String(), ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"1.1"}, nil))
		if err == nil {
			break
		}
		if !ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			return err
		}
		missing = append(missing, parent)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		rdn := missing[i].RDNs[0].Attributes[0]
		if !strings.EqualFold(rdn.Type, "ou") {
			return fmt.Errorf("%s is missing and is not an organizational unit", missing[i])
		}
		req := ldap.NewAddRequest(missing[i].String(), nil)
		req.Attribute("objectClass", []string{"organizationalUnit"})
		req.Attribute("ou", []string{rdn.Value})
		if err := l.conn.Add(req); err != nil && !ldap.IsErrorWithCode(err, ldap.LDAPResultEntryAlreadyExists) {
			return err
		}
	}
	return nil
}

func (l *LDAP) uuidOf(dn string) (string, error) {
	res, err := l.conn.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false, "(objectClass=*)", []string{"entryUUID"}, nil))
	if err != nil {
		return "", err
	}
	if len(res.Entries) == 0 {
		return "", fmt.Errorf("%s vanished after it was added", dn)
	}
	return res.Entries[0].GetAttributeValue("entryUUID"), nil
}

// currentDN finds an object's DN by its entryUUID anchor, falling back to the entry's DN.
func (l *LDAP) currentDN(e *pb.CSEntryChange) (string, error) {
	uuid := anchorUUID(e)
	if uuid == "" {
		return e.GetDn(), nil
	}
	ncs, err := l.namingContexts()
	if err != nil {
		return "", err
	}
	for _, nc := range ncs {
		res, err := l.conn.Search(ldap.NewSearchRequest(nc, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			fmt.Sprintf("(entryUUID=%s)", ldap.EscapeFilter(uuid)), []string{"1.1"}, nil))
		if err != nil {
			return "", err
		}
		if len(res.Entries) > 0 {
			return res.Entries[0].DN, nil
		}
	}
	return "", ldap.NewError(ldap.LDAPResultNoSuchObject, fmt.Errorf("no object with entryUUID %s", uuid))
}

func (l *LDAP) update(e *pb.CSEntryChange) (*pb.CSEntryChangeResult, error) {
	dn, err := l.currentDN(e)
	if err != nil {
		return nil, err
	}
	// A rename is ECMA2's attribute change "DN" holding the new DN (the entry's DN is the old
	// one); an entry found by its anchor under another DN than its own is moved there too.
	// Either way: modrdn first, then the attribute changes.
	newDN := e.GetDn()
	for _, ac := range e.GetAttributeChanges() {
		if strings.EqualFold(ac.GetName(), "DN") {
			if v := valuesOf(ac, false); len(v) > 0 {
				newDN = v[0]
			}
		}
	}
	if newDN != "" && !sameDN(dn, newDN) {
		target, err := ldap.ParseDN(newDN)
		if err != nil || len(target.RDNs) == 0 {
			return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN,
				"InvalidDN", fmt.Sprintf("%q is not a DN", newDN)), nil
		}
		current, _ := ldap.ParseDN(dn)
		newSup := ""
		parent := &ldap.DN{RDNs: target.RDNs[1:]}
		if current == nil || !(&ldap.DN{RDNs: current.RDNs[1:]}).EqualFold(parent) {
			newSup = parent.String()
		}
		rdn := (&ldap.DN{RDNs: target.RDNs[:1]}).String()
		if err := l.conn.ModifyDN(ldap.NewModifyDNRequest(dn, rdn, true, newSup)); err != nil {
			return nil, err
		}
		dn = newDN
	}
	req := ldap.NewModifyRequest(dn, nil)
	for _, ac := range e.GetAttributeChanges() {
		name := ac.GetName()
		if strings.EqualFold(name, "DN") {
			continue
		}
		if strings.EqualFold(name, exportPassword) {
			if !l.settings.secure() {
				return insecurePassword(e), nil
			}
			name = "userPassword"
		}
		switch ac.GetModificationType() {
		case pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_ADD:
			req.Add(name, valuesOf(ac, false))
		case pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_REPLACE:
			req.Replace(name, valuesOf(ac, false))
		case pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_DELETE:
			req.Replace(name, nil) // removes every value, and succeeds when there is none
		default: // Update: per value
			if add := valuesOf(ac, false); len(add) > 0 {
				req.Add(name, add)
			}
			if del := valuesOf(ac, true); len(del) > 0 {
				req.Delete(name, del)
			}
		}
	}
	if len(req.Changes) > 0 {
		if err := l.conn.Modify(req); err != nil {
			return nil, err
		}
	}
	return ecma2.Success(e.GetIdentifier()), nil
}

// exportPassword is ECMA2's attribute for a password set during export.
const exportPassword = "export_password"

func insecurePassword(e *pb.CSEntryChange) *pb.CSEntryChangeResult {
	return ecma2.ExportFailure(e.GetIdentifier(), pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE,
		"InsecureConnection", "export_password needs ldaps://, ldapi:// or StartTLS")
}

// failure maps an LDAP result code to an ECMA2 export error.
func failure(e *pb.CSEntryChange, err error) *pb.CSEntryChangeResult {
	code := pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_ERROR
	name := "LDAPError"
	var le *ldap.Error
	if errors.As(err, &le) {
		name = ldap.LDAPResultCodeMap[le.ResultCode]
		switch le.ResultCode {
		case ldap.LDAPResultNoSuchObject:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_MISSING_OBJECT
		case ldap.LDAPResultEntryAlreadyExists:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONNECTED_DIRECTORY_EXISTING_OBJECT
		case ldap.LDAPResultConstraintViolation, ldap.LDAPResultAttributeOrValueExists, ldap.LDAPResultNoSuchAttribute:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CONSTRAINT_VIOLATION
		case ldap.LDAPResultInvalidAttributeSyntax:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_SYNTAX_VIOLATION
		case ldap.LDAPResultInvalidDNSyntax, ldap.LDAPResultNamingViolation:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_DN
		case ldap.LDAPResultInsufficientAccessRights:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_PERMISSION_ISSUE
		case ldap.LDAPResultObjectClassViolation:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_MISSING_PROVISIONING_ATTRIBUTE
		case ldap.LDAPResultUndefinedAttributeType:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_INVALID_ATTRIBUTE_VALUE
		case ldap.LDAPResultNotAllowedOnRDN:
			code = pb.MAExportError_MA_EXPORT_ERROR_EXPORT_ERROR_CHANGE_NAMING_ATTRIBUTE
		}
	}
	return ecma2.ExportFailure(e.GetIdentifier(), code, name, fmt.Sprintf("%s: %v", e.GetDn(), err))
}
