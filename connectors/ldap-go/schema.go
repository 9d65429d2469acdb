package main

// Schema discovery: the server's subschema (RFC 4512 object class and attribute type
// descriptions) turned into ECMA2 object types.

import (
	"fmt"
	"strings"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// attrType is one attribute type of the subschema.
type attrType struct {
	names       []string
	sup         string
	syntax      string
	singleValue bool
	noUserMod   bool
	operational bool
}

// objectClass is one object class of the subschema.
type objectClass struct {
	names []string
	sup   []string
	kind  string // STRUCTURAL, AUXILIARY or ABSTRACT
	must  []string
	may   []string
}

// subschema is what the connector knows of the server's schema, keyed by lower-case name.
type subschema struct {
	attrs   map[string]*attrType
	classes map[string]*objectClass
}

// tokenize splits an RFC 4512 description into parentheses, quoted strings and words.
func tokenize(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		switch c := s[i]; {
		case c == ' ' || c == '\t' || c == '\n' || c == '$':
			i++
		case c == '(' || c == ')':
			out = append(out, string(c))
			i++
		case c == '\'':
			end := strings.IndexByte(s[i+1:], '\'')
			if end < 0 {
				out = append(out, s[i+1:])
				return out
			}
			out = append(out, s[i+1:i+1+end])
			i += end + 2
		default:
			j := i
			for j < len(s) && !strings.ContainsRune(" \t\n()$'", rune(s[j])) {
				j++
			}
			out = append(out, s[i:j])
			i = j
		}
	}
	return out
}

// fields reads "( OID KEY value KEY ( a b ) FLAG ... )" into keyword -> values.
func fields(desc string) map[string][]string {
	toks := tokenize(desc)
	out := map[string][]string{}
	if len(toks) < 2 || toks[0] != "(" {
		return out
	}
	key := ""
	for i := 2; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t == ")":
			continue
		case t == "(":
			for i++; i < len(toks) && toks[i] != ")"; i++ {
				out[key] = append(out[key], toks[i])
			}
		case isKeyword(t):
			key = t
			if _, ok := out[key]; !ok {
				out[key] = nil
			}
		default:
			out[key] = append(out[key], t)
		}
	}
	return out
}

func isKeyword(t string) bool {
	if t == "" {
		return false
	}
	for _, r := range t {
		if (r < 'A' || r > 'Z') && r != '-' && r != '_' {
			return false
		}
	}
	return true
}

func parseSubschema(attrDescs, classDescs []string) *subschema {
	s := &subschema{attrs: map[string]*attrType{}, classes: map[string]*objectClass{}}
	for _, d := range attrDescs {
		f := fields(d)
		a := &attrType{names: f["NAME"], syntax: first(f["SYNTAX"]), sup: first(f["SUP"])}
		_, a.singleValue = f["SINGLE-VALUE"]
		_, a.noUserMod = f["NO-USER-MODIFICATION"]
		a.operational = len(f["USAGE"]) > 0 && f["USAGE"][0] != "userApplications"
		if i := strings.IndexByte(a.syntax, '{'); i >= 0 {
			a.syntax = a.syntax[:i]
		}
		for _, n := range a.names {
			s.attrs[strings.ToLower(n)] = a
		}
	}
	for _, d := range classDescs {
		f := fields(d)
		c := &objectClass{names: f["NAME"], sup: f["SUP"], must: f["MUST"], may: f["MAY"], kind: "STRUCTURAL"}
		for _, k := range []string{"ABSTRACT", "AUXILIARY"} {
			if _, ok := f[k]; ok {
				c.kind = k
			}
		}
		for _, n := range c.names {
			s.classes[strings.ToLower(n)] = c
		}
	}
	return s
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// syntaxOf follows SUP until an attribute type names its syntax.
func (s *subschema) syntaxOf(name string) string {
	for i := 0; i < 16; i++ {
		a := s.attrs[strings.ToLower(name)]
		if a == nil {
			return ""
		}
		if a.syntax != "" {
			return a.syntax
		}
		name = a.sup
	}
	return ""
}

// Syntax OIDs (RFC 4517) that are not strings.
const (
	syntaxDN       = "1.3.6.1.4.1.1466.115.121.1.12"
	syntaxNameUID  = "1.3.6.1.4.1.1466.115.121.1.34"
	syntaxInteger  = "1.3.6.1.4.1.1466.115.121.1.27"
	syntaxBoolean  = "1.3.6.1.4.1.1466.115.121.1.7"
	syntaxOctet    = "1.3.6.1.4.1.1466.115.121.1.40"
	syntaxJPEG     = "1.3.6.1.4.1.1466.115.121.1.28"
	syntaxBinary   = "1.3.6.1.4.1.1466.115.121.1.5"
	syntaxCert     = "1.3.6.1.4.1.1466.115.121.1.8"
	syntaxCertList = "1.3.6.1.4.1.1466.115.121.1.9"
	syntaxCertPair = "1.3.6.1.4.1.1466.115.121.1.10"
)

// ecma2Type maps an attribute's syntax to an ECMA2 attribute type.
func (s *subschema) ecma2Type(name string) pb.AttributeType {
	switch s.syntaxOf(name) {
	case syntaxDN, syntaxNameUID:
		return pb.AttributeType_ATTRIBUTE_TYPE_REFERENCE
	case syntaxInteger:
		return pb.AttributeType_ATTRIBUTE_TYPE_INTEGER
	case syntaxBoolean:
		return pb.AttributeType_ATTRIBUTE_TYPE_BOOLEAN
	case syntaxOctet, syntaxJPEG, syntaxBinary:
		return pb.AttributeType_ATTRIBUTE_TYPE_BINARY
	}
	return pb.AttributeType_ATTRIBUTE_TYPE_STRING
}

// skipped reports attributes that are not ordinary object data.
func (s *subschema) skipped(name string) bool {
	switch strings.ToLower(name) {
	case "objectclass", "userpassword", "entryuuid":
		return true
	}
	switch s.syntaxOf(name) {
	case syntaxCert, syntaxCertList, syntaxCertPair:
		return true // need the ;binary transfer option
	}
	a := s.attrs[strings.ToLower(name)]
	return a == nil || a.operational
}

// chain returns a class and its superclasses, most specific first, without "top".
func (s *subschema) chain(class string) []*objectClass {
	var out []*objectClass
	seen := map[*objectClass]bool{}
	queue := []string{class}
	for len(queue) > 0 && len(out) < 32 {
		c := s.classes[strings.ToLower(queue[0])]
		queue = queue[1:]
		if c == nil || seen[c] || strings.EqualFold(c.names[0], "top") {
			continue
		}
		seen[c] = true
		out = append(out, c)
		queue = append(queue, c.sup...)
	}
	return out
}

// typeAttributes lists a class's MUST and MAY attributes (with superclasses), canonical
// names, MUST first.
func (s *subschema) typeAttributes(class string) (all []string, must map[string]bool) {
	must = map[string]bool{}
	seen := map[string]bool{}
	add := func(name string, required bool) {
		a := s.attrs[strings.ToLower(name)]
		if a == nil || s.skipped(name) {
			return
		}
		canon := a.names[0]
		if required {
			must[strings.ToLower(canon)] = true
		}
		if !seen[strings.ToLower(canon)] {
			seen[strings.ToLower(canon)] = true
			all = append(all, canon)
		}
	}
	chain := s.chain(class)
	for _, c := range chain {
		for _, m := range c.must {
			add(m, true)
		}
	}
	for _, c := range chain {
		for _, m := range c.may {
			add(m, false)
		}
	}
	return all, must
}

// canonical returns an attribute's first name, or the name itself when unknown.
func (s *subschema) canonical(name string) string {
	if a := s.attrs[strings.ToLower(name)]; a != nil {
		return a.names[0]
	}
	return name
}

// loadSubschema reads the subschema entry the root DSE names.
func loadSubschema(conn *ldap.Conn) (*subschema, error) {
	root, err := conn.Search(ldap.NewSearchRequest("", ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"subschemaSubentry"}, nil))
	if err != nil || len(root.Entries) == 0 {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION, "reading the root DSE: %v", err)
	}
	base := root.Entries[0].GetAttributeValue("subschemaSubentry")
	if base == "" {
		base = "cn=Subschema"
	}
	res, err := conn.Search(ldap.NewSearchRequest(base, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=subschema)", []string{"attributeTypes", "objectClasses"}, nil))
	if err != nil || len(res.Entries) == 0 {
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_SEARCH_EXCEPTION, "reading the subschema %s: %v", base, err)
	}
	e := res.Entries[0]
	return parseSubschema(e.GetAttributeValues("attributeTypes"), e.GetAttributeValues("objectClasses")), nil
}

// buildSchema makes the ECMA2 schema of the configured object classes.
func buildSchema(sub *subschema, classes []string, excluded map[string]bool) (*pb.Schema, error) {
	out := &pb.Schema{}
	for _, class := range classes {
		c := sub.classes[strings.ToLower(class)]
		if c == nil {
			return nil, &paramError{pObjectTypes, fmt.Sprintf("the server has no object class %q", class)}
		}
		t := &pb.SchemaType{Name: c.names[0]}
		t.Attributes = append(t.Attributes, &pb.SchemaAttribute{
			Name: "entryUUID", DataType: pb.AttributeType_ATTRIBUTE_TYPE_STRING, IsAnchor: true,
			AllowedAttributeOperation: pb.AttributeOperation_ATTRIBUTE_OPERATION_IMPORT_ONLY,
		})
		names, _ := sub.typeAttributes(class)
		for _, n := range names {
			a := sub.attrs[strings.ToLower(n)]
			if excluded[strings.ToLower(n)] {
				continue
			}
			op := pb.AttributeOperation_ATTRIBUTE_OPERATION_IMPORT_EXPORT
			if a.noUserMod {
				op = pb.AttributeOperation_ATTRIBUTE_OPERATION_IMPORT_ONLY
			}
			t.Attributes = append(t.Attributes, &pb.SchemaAttribute{
				Name: n, DataType: sub.ecma2Type(n), IsMultiValued: !a.singleValue, AllowedAttributeOperation: op,
			})
		}
		out.Types = append(out.Types, t)
	}
	return out, nil
}
