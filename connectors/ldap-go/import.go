package main

// Import: full import as RFC 2696 paged searches over the run's naming contexts (one LDAP page
// per ECMA2 page), delta import from the accesslog overlay, and FullObject requests.

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// importRun is the state of one import session.
type importRun struct {
	delta    bool
	size     int32
	bases    []string // naming contexts (or included containers) still to read, in order
	excluded []string // containers the run leaves out
	cookie   []byte
	pending  []*pb.CSEntryChange // a delta import's changes, computed at open
	mark     string              // the watermark this run commits: accesslog's contextCSN at open
}

// OpenImportConnection binds, reads the watermark and, for a delta, the changes since the last.
func (l *LDAP) OpenImportConnection(ctx context.Context, open *ecma2.ImportOpen) (*pb.OpenImportConnectionResults, error) {
	if err := l.connect(ctx, open.Config); err != nil {
		return nil, err
	}
	sub, err := loadSubschema(l.conn)
	if err != nil {
		return nil, err
	}
	l.sub = sub
	l.schema = open.Schema
	if len(l.schema.GetTypes()) == 0 {
		if l.schema, err = buildSchema(sub, l.settings.classes, l.settings.excluded); err != nil {
			return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_NO_SUCH_CLASS_EXCEPTION, "%v", err)
		}
	}
	run := &importRun{size: open.Step.GetPageSize(), delta: open.Step.GetImportType() == pb.OperationType_OPERATION_TYPE_DELTA}
	if run.mark, err = l.contextCSN(); err != nil {
		return nil, err
	}
	if run.bases, err = l.runBases(open.Step.GetStepPartition(), open.Step.GetInclusionHierarchyNodes()); err != nil {
		return nil, err
	}
	for _, n := range open.Step.GetExclusionHierarchyNodes() {
		run.excluded = append(run.excluded, n.GetDn())
	}
	if run.delta {
		since := open.Step.GetCustomData()
		if since == "" {
			return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION, "a delta import needs the watermark of a previous import; run a full import first")
		}
		if run.pending, err = l.changesSince(ctx, run, since); err != nil {
			return nil, err
		}
	}
	l.imp = run
	ecma2.Logger(ctx).Info("import opened", "delta", run.delta, "bases", len(run.bases), "changes", len(run.pending), "watermark", run.mark)
	return &pb.OpenImportConnectionResults{CustomData: run.mark}, nil
}

// runBases is the run's partition (or every naming context), narrowed to included containers.
func (l *LDAP) runBases(partition *pb.Partition, included []*pb.HierarchyNode) ([]string, error) {
	var bases []string
	if partition.GetDn() != "" {
		bases = []string{partition.GetDn()}
	} else {
		ncs, err := l.namingContexts()
		if err != nil {
			return nil, err
		}
		bases = ncs
	}
	if len(included) == 0 {
		return bases, nil
	}
	var out []string
	for _, n := range included {
		for _, b := range bases {
			if under(n.GetDn(), b) {
				out = append(out, n.GetDn())
				break
			}
		}
	}
	return out, nil
}

// under reports whether dn is base or below it.
func under(dn, base string) bool {
	d, err1 := ldap.ParseDN(dn)
	b, err2 := ldap.ParseDN(base)
	if err1 != nil || err2 != nil {
		return false
	}
	return b.EqualFold(d) || b.AncestorOfFold(d)
}

// contextCSN is the accesslog database's contextCSN: the CSN of the last logged write.
func (l *LDAP) contextCSN() (string, error) {
	res, err := l.conn.Search(ldap.NewSearchRequest(l.settings.accesslog, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"contextCSN"}, nil))
	if err != nil {
		return "", ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION,
			"reading contextCSN of the accesslog database %s (%s): %v", l.settings.accesslog, pAccesslog, err)
	}
	// Before the first logged write there is no contextCSN: the smallest CSN stands in.
	mark := "00000101000000.000000Z#000000#000#000000"
	for _, e := range res.Entries {
		for _, v := range e.GetAttributeValues("contextCSN") {
			if v > mark {
				mark = v
			}
		}
	}
	return mark, nil
}

func (l *LDAP) typeFilter() string {
	var b strings.Builder
	b.WriteString("(|")
	for _, t := range l.schema.GetTypes() {
		fmt.Fprintf(&b, "(objectClass=%s)", ldap.EscapeFilter(t.GetName()))
	}
	b.WriteString(")")
	return b.String()
}

// GetImportEntries returns one page: the FullObject entries asked for, the next delta
// changes, or the next LDAP page of the full import.
func (l *LDAP) GetImportEntries(ctx context.Context, step *pb.GetImportEntriesRunStep) (*ecma2.ImportPage, error) {
	run := l.imp
	page := &ecma2.ImportPage{CustomData: run.mark}
	if len(step.GetFullObjectEntries()) > 0 {
		for _, want := range step.GetFullObjectEntries() {
			e, err := l.fetch(ctx, want)
			if err != nil {
				return nil, err
			}
			if e == nil {
				// Gone since the engine saw it: a Delete, so the engine can drop it.
				e = &pb.CSEntryChange{
					ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_DELETE,
					ObjectType:             want.GetObjectType(),
					Dn:                     want.GetDn(),
					AnchorAttributes:       want.GetAnchorAttributes(),
				}
			}
			page.Entries = append(page.Entries, e)
		}
		page.MoreToImport = len(run.pending) > 0 || len(run.bases) > 0
		return page, nil
	}
	if run.delta {
		n := min(int(run.size), len(run.pending))
		page.Entries, run.pending = run.pending[:n], run.pending[n:]
		page.MoreToImport = len(run.pending) > 0
		return page, nil
	}
	for len(run.bases) > 0 && len(page.Entries) == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		paging := ldap.NewControlPaging(uint32(run.size))
		paging.SetCookie(run.cookie)
		res, err := l.conn.Search(ldap.NewSearchRequest(run.bases[0], ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
			l.typeFilter(), []string{"*", "entryUUID"}, []ldap.Control{paging}))
		if err != nil {
			return nil, searchFault(err, run.bases[0])
		}
		for _, e := range res.Entries {
			if l.excluded(e.DN) {
				continue
			}
			if c := l.toChange(e, pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD); c != nil {
				page.Entries = append(page.Entries, c)
			}
		}
		run.cookie = nil
		if ctrl, ok := ldap.FindControl(res.Controls, ldap.ControlTypePaging).(*ldap.ControlPaging); ok {
			run.cookie = ctrl.Cookie
		}
		if len(run.cookie) == 0 {
			run.bases = run.bases[1:]
		}
	}
	page.MoreToImport = len(run.bases) > 0
	return page, nil
}

func (l *LDAP) excluded(dn string) bool {
	for _, x := range l.imp.excluded {
		if under(dn, x) {
			return true
		}
	}
	return false
}

// fetch reads one object, complete, by its anchor or DN.
func (l *LDAP) fetch(_ context.Context, want *pb.CSEntryChange) (*pb.CSEntryChange, error) {
	uuid := anchorUUID(want)
	for _, base := range l.imp.bases {
		filter := fmt.Sprintf("(&%s(entryUUID=%s))", l.typeFilter(), ldap.EscapeFilter(uuid))
		scope, searchBase := ldap.ScopeWholeSubtree, base
		if uuid == "" {
			filter, scope, searchBase = l.typeFilter(), ldap.ScopeBaseObject, want.GetDn()
		}
		res, err := l.conn.Search(ldap.NewSearchRequest(searchBase, scope, ldap.NeverDerefAliases, 0, 0, false, filter, []string{"*", "entryUUID"}, nil))
		if ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject) {
			continue
		}
		if err != nil {
			return nil, searchFault(err, searchBase)
		}
		if len(res.Entries) > 0 {
			return l.toChange(res.Entries[0], pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD), nil
		}
	}
	return nil, nil
}

func anchorUUID(e *pb.CSEntryChange) string {
	for _, a := range e.GetAnchorAttributes() {
		if strings.EqualFold(a.GetName(), "entryUUID") {
			return ecma2.ValueText(a.GetValue())
		}
	}
	return ""
}

// objectType is the first schema type among the entry's object classes.
func (l *LDAP) objectType(classes []string) *pb.SchemaType {
	for _, t := range l.schema.GetTypes() {
		for _, c := range classes {
			if strings.EqualFold(c, t.GetName()) {
				return t
			}
		}
	}
	return nil
}

// toChange converts an LDAP entry into a CSEntryChange of its schema type; nil when the entry
// is of no configured type.
func (l *LDAP) toChange(e *ldap.Entry, mod pb.ObjectModificationType) *pb.CSEntryChange {
	t := l.objectType(e.GetAttributeValues("objectClass"))
	if t == nil {
		return nil
	}
	uuid := e.GetAttributeValue("entryUUID")
	c := &pb.CSEntryChange{
		ObjectModificationType: mod,
		ObjectType:             t.GetName(),
		Dn:                     e.DN,
		AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("entryUUID", ecma2.StringValue(uuid))},
	}
	for _, a := range t.GetAttributes() {
		if a.GetIsAnchor() {
			c.AttributeChanges = append(c.AttributeChanges, ecma2.AttributeAdd(a.GetName(), false, ecma2.StringValue(uuid)))
			continue
		}
		raw := e.GetEqualFoldRawAttributeValues(a.GetName())
		if len(raw) == 0 {
			continue
		}
		ac := &pb.AttributeChange{
			Name: a.GetName(), DataType: a.GetDataType(), IsMultiValued: a.GetIsMultiValued(),
			ModificationType: pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_ADD,
		}
		for _, v := range raw {
			value, err := toValue(a.GetDataType(), v)
			if err != nil {
				c.ErrorCodeImport = pb.MAImportError_MA_IMPORT_ERROR_IMPORT_ERROR_INVALID_ATTRIBUTE_VALUE
				c.ErrorName = "InvalidAttributeValue"
				c.ErrorDetail = fmt.Sprintf("%s: %v", a.GetName(), err)
				continue
			}
			ac.ValueChanges = append(ac.ValueChanges, &pb.ValueChange{Value: value, ModificationType: pb.ValueModificationType_VALUE_MODIFICATION_TYPE_ADD})
		}
		c.AttributeChanges = append(c.AttributeChanges, ac)
	}
	return c
}

func toValue(t pb.AttributeType, raw []byte) (*pb.AttributeValue, error) {
	switch t {
	case pb.AttributeType_ATTRIBUTE_TYPE_INTEGER:
		i, err := strconv.ParseInt(string(raw), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an integer", raw)
		}
		return ecma2.IntegerValue(i), nil
	case pb.AttributeType_ATTRIBUTE_TYPE_BOOLEAN:
		switch string(raw) {
		case "TRUE":
			return ecma2.BooleanValue(true), nil
		case "FALSE":
			return ecma2.BooleanValue(false), nil
		}
		return nil, fmt.Errorf("%q is not TRUE or FALSE", raw)
	case pb.AttributeType_ATTRIBUTE_TYPE_REFERENCE:
		return ecma2.ReferenceValue(string(raw)), nil
	case pb.AttributeType_ATTRIBUTE_TYPE_BINARY:
		return ecma2.BinaryValue(append([]byte(nil), raw...)), nil
	}
	return ecma2.StringValue(string(raw)), nil
}

// CloseImportConnection releases the connection; the watermark is the one read at open.
func (l *LDAP) CloseImportConnection(ctx context.Context, step *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error) {
	l.close()
	mark := ""
	if l.imp != nil {
		mark = l.imp.mark
	}
	ecma2.Logger(ctx).Info("import closed", "reason", step.GetReason().String())
	return &pb.CloseImportConnectionResults{CustomData: mark}, nil
}

// logged is what the accesslog says about one object in the delta's window.
type logged struct {
	uuid     string
	first    string // reqType of its first logged write
	last     string // reqType of its last logged write
	dn       string // its DN after its last logged write
	classes  []string
	firstCSN string
	lastCSN  string
}

// changesSince reads the accesslog after `since` (up to the run's mark) and turns it into one
// change per object: Add (created in the window), Replace (complete, with its current DN, so
// moves and renames arrive as renames) or Delete.
func (l *LDAP) changesSince(ctx context.Context, run *importRun, since string) ([]*pb.CSEntryChange, error) {
	filter := fmt.Sprintf("(&(objectClass=auditWriteObject)(reqResult=0)(entryCSN>=%s)(!(entryCSN=%s))(entryCSN<=%s))",
		ldap.EscapeFilter(since), ldap.EscapeFilter(since), ldap.EscapeFilter(run.mark))
	res, err := l.conn.SearchWithPaging(ldap.NewSearchRequest(l.settings.accesslog, ldap.ScopeSingleLevel, ldap.NeverDerefAliases, 0, 0, false,
		filter, []string{"reqType", "reqDN", "reqNewDN", "reqEntryUUID", "reqOld", "entryCSN"}, nil), 1000)
	if err != nil {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION, "reading the accesslog %s: %v", l.settings.accesslog, err)
	}
	sort.Slice(res.Entries, func(i, j int) bool {
		return res.Entries[i].GetAttributeValue("entryCSN") < res.Entries[j].GetAttributeValue("entryCSN")
	})
	objects := map[string]*logged{}
	var order []*logged
	for _, e := range res.Entries {
		uuid := e.GetAttributeValue("reqEntryUUID")
		if uuid == "" {
			continue
		}
		o := objects[uuid]
		typ := e.GetAttributeValue("reqType")
		if o == nil {
			o = &logged{uuid: uuid, first: typ, firstCSN: e.GetAttributeValue("entryCSN")}
			objects[uuid] = o
			order = append(order, o)
		}
		o.last, o.lastCSN = typ, e.GetAttributeValue("entryCSN")
		o.dn = e.GetAttributeValue("reqDN")
		if nd := e.GetAttributeValue("reqNewDN"); nd != "" {
			o.dn = nd
		}
		if typ == "delete" {
			for _, line := range e.GetAttributeValues("reqOld") {
				if k, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(k, "objectClass") {
					o.classes = append(o.classes, v)
				}
			}
		}
	}
	var live, deleted []*logged
	for _, o := range order {
		if o.last == "delete" {
			if o.first != "add" {
				deleted = append(deleted, o)
			}
			continue
		}
		live = append(live, o)
	}
	current, err := l.byUUID(ctx, live)
	if err != nil {
		return nil, err
	}
	var out []*pb.CSEntryChange
	for _, o := range live {
		e := current[o.uuid]
		if e == nil || !l.inRun(run, e.DN) {
			continue
		}
		mod := pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_REPLACE
		if o.first == "add" {
			mod = pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD
		}
		if c := l.toChange(e, mod); c != nil {
			out = append(out, c)
		}
	}
	sort.SliceStable(deleted, func(i, j int) bool { return deleted[i].lastCSN < deleted[j].lastCSN })
	for _, o := range deleted {
		t := l.objectType(o.classes)
		if t == nil || !l.inRun(run, o.dn) {
			continue
		}
		out = append(out, &pb.CSEntryChange{
			ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_DELETE,
			ObjectType:             t.GetName(),
			Dn:                     o.dn,
			AnchorAttributes:       []*pb.AnchorAttribute{ecma2.Anchor("entryUUID", ecma2.StringValue(o.uuid))},
		})
	}
	return out, nil
}

func (l *LDAP) inRun(run *importRun, dn string) bool {
	for _, x := range run.excluded {
		if under(dn, x) {
			return false
		}
	}
	for _, b := range run.bases {
		if under(dn, b) {
			return true
		}
	}
	return false
}

// byUUID reads the current entries of objects, 100 entryUUIDs per search.
func (l *LDAP) byUUID(ctx context.Context, objects []*logged) (map[string]*ldap.Entry, error) {
	out := map[string]*ldap.Entry{}
	ncs, err := l.namingContexts()
	if err != nil {
		return nil, err
	}
	for start := 0; start < len(objects); start += 100 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		var b strings.Builder
		b.WriteString("(|")
		for _, o := range objects[start:min(start+100, len(objects))] {
			fmt.Fprintf(&b, "(entryUUID=%s)", ldap.EscapeFilter(o.uuid))
		}
		b.WriteString(")")
		for _, nc := range ncs {
			res, err := l.conn.Search(ldap.NewSearchRequest(nc, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
				b.String(), []string{"*", "entryUUID"}, nil))
			if err != nil {
				return nil, searchFault(err, nc)
			}
			for _, e := range res.Entries {
				out[e.GetAttributeValue("entryUUID")] = e
			}
		}
	}
	return out, nil
}
