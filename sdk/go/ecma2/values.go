package ecma2

// Configuration parameters, secrets, and helpers to build entries.

import (
	"log/slog"
	"strings"

	pb "ecma2host.dev/sdk/go/ecma2v1"
)

// Secret holds a password or an encrypted parameter value. Printing it, logging it with
// log/slog, or marshalling it shows "[redacted]"; Reveal returns the text.
type Secret struct{ value string }

// NewSecret wraps text as a secret.
func NewSecret(text string) Secret { return Secret{value: text} }

// Reveal returns the secret text. Use it only where the text is sent to the connected system.
func (s Secret) Reveal() string { return s.value }

// IsEmpty reports whether the secret is empty.
func (s Secret) IsEmpty() bool { return s.value == "" }

// String redacts.
func (s Secret) String() string { return "[redacted]" }

// GoString redacts.
func (s Secret) GoString() string { return "[redacted]" }

// LogValue redacts.
func (s Secret) LogValue() slog.Value { return slog.StringValue("[redacted]") }

// MarshalText redacts.
func (s Secret) MarshalText() ([]byte, error) { return []byte("[redacted]"), nil }

// Config is the configuration parameters of a call.
type Config struct{ params []*pb.ConfigParameter }

// NewConfig wraps wire parameters (for tests).
func NewConfig(params []*pb.ConfigParameter) Config { return Config{params: params} }

// Params returns the wire parameters.
func (c Config) Params() []*pb.ConfigParameter { return c.params }

func (c Config) find(name string) *pb.ConfigParameter {
	for _, p := range c.params {
		if p.GetName() == name {
			return p
		}
	}
	for _, p := range c.params {
		if strings.EqualFold(p.GetName(), name) {
			return p
		}
	}
	return nil
}

// Get returns a parameter's value (an encrypted one's too), trimmed of nothing, and whether
// the parameter is present at all.
func (c Config) Get(name string) (string, bool) {
	p := c.find(name)
	if p == nil {
		return "", false
	}
	if p.GetIsEncrypted() || p.GetSecureValue() != nil {
		return p.GetSecureValue().GetValue(), true
	}
	return p.GetValue(), true
}

// String returns a parameter's value, or "" when it is absent.
func (c Config) String(name string) string {
	v, _ := c.Get(name)
	return v
}

// Secret returns an encrypted parameter's value as a Secret.
func (c Config) Secret(name string) Secret {
	p := c.find(name)
	if p == nil {
		return Secret{}
	}
	if p.GetSecureValue() != nil {
		return Secret{value: p.GetSecureValue().GetValue()}
	}
	return Secret{value: p.GetValue()}
}

// secrets lists the secret texts in a configuration, so faults can redact them.
func (c Config) secrets() []string {
	var out []string
	for _, p := range c.params {
		if v := p.GetSecureValue().GetValue(); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// StringValue, IntegerValue, ReferenceValue, BinaryValue and BooleanValue build attribute values.
func StringValue(s string) *pb.AttributeValue {
	return &pb.AttributeValue{Kind: &pb.AttributeValue_StringValue{StringValue: s}}
}

// IntegerValue builds an integer attribute value.
func IntegerValue(i int64) *pb.AttributeValue {
	return &pb.AttributeValue{Kind: &pb.AttributeValue_IntegerValue{IntegerValue: i}}
}

// ReferenceValue builds a reference (DN) attribute value.
func ReferenceValue(dn string) *pb.AttributeValue {
	return &pb.AttributeValue{Kind: &pb.AttributeValue_ReferenceValue{ReferenceValue: dn}}
}

// BinaryValue builds a binary attribute value.
func BinaryValue(b []byte) *pb.AttributeValue {
	return &pb.AttributeValue{Kind: &pb.AttributeValue_BinaryValue{BinaryValue: b}}
}

// BooleanValue builds a boolean attribute value.
func BooleanValue(b bool) *pb.AttributeValue {
	return &pb.AttributeValue{Kind: &pb.AttributeValue_BooleanValue{BooleanValue: b}}
}

// TypeOf returns the attribute type of a value.
func TypeOf(v *pb.AttributeValue) pb.AttributeType {
	switch v.GetKind().(type) {
	case *pb.AttributeValue_StringValue:
		return pb.AttributeType_ATTRIBUTE_TYPE_STRING
	case *pb.AttributeValue_IntegerValue:
		return pb.AttributeType_ATTRIBUTE_TYPE_INTEGER
	case *pb.AttributeValue_ReferenceValue:
		return pb.AttributeType_ATTRIBUTE_TYPE_REFERENCE
	case *pb.AttributeValue_BinaryValue:
		return pb.AttributeType_ATTRIBUTE_TYPE_BINARY
	case *pb.AttributeValue_BooleanValue:
		return pb.AttributeType_ATTRIBUTE_TYPE_BOOLEAN
	}
	return pb.AttributeType_ATTRIBUTE_TYPE_UNSPECIFIED
}

// AttributeAdd is an attribute change of modification type Add with the given values (the
// shape of every attribute of an imported Add entry).
func AttributeAdd(name string, multiValued bool, values ...*pb.AttributeValue) *pb.AttributeChange {
	return attributeChange(name, multiValued, pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_ADD, values)
}

// AttributeReplace is an attribute change of modification type Replace.
func AttributeReplace(name string, multiValued bool, values ...*pb.AttributeValue) *pb.AttributeChange {
	return attributeChange(name, multiValued, pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_REPLACE, values)
}

// AttributeDelete is an attribute change of modification type Delete (no values).
func AttributeDelete(name string, dataType pb.AttributeType) *pb.AttributeChange {
	return &pb.AttributeChange{Name: name, DataType: dataType, ModificationType: pb.AttributeModificationType_ATTRIBUTE_MODIFICATION_TYPE_DELETE}
}

func attributeChange(name string, multi bool, mod pb.AttributeModificationType, values []*pb.AttributeValue) *pb.AttributeChange {
	ac := &pb.AttributeChange{Name: name, IsMultiValued: multi, ModificationType: mod}
	for _, v := range values {
		if ac.DataType == pb.AttributeType_ATTRIBUTE_TYPE_UNSPECIFIED {
			ac.DataType = TypeOf(v)
		}
		ac.ValueChanges = append(ac.ValueChanges, &pb.ValueChange{Value: v, ModificationType: pb.ValueModificationType_VALUE_MODIFICATION_TYPE_ADD})
	}
	return ac
}

// Anchor is an anchor attribute.
func Anchor(name string, v *pb.AttributeValue) *pb.AnchorAttribute {
	return &pb.AnchorAttribute{Name: name, DataType: TypeOf(v), Value: v}
}

// Values returns the values of a change's value changes of modification type Add (or unset).
func Values(ac *pb.AttributeChange) []*pb.AttributeValue {
	var out []*pb.AttributeValue
	for _, vc := range ac.GetValueChanges() {
		if vc.GetModificationType() != pb.ValueModificationType_VALUE_MODIFICATION_TYPE_DELETE {
			out = append(out, vc.GetValue())
		}
	}
	return out
}

// ValueText renders a value as text (strings and references as they are, integers in decimal,
// booleans as true/false, binary as its bytes).
func ValueText(v *pb.AttributeValue) string {
	switch k := v.GetKind().(type) {
	case *pb.AttributeValue_StringValue:
		return k.StringValue
	case *pb.AttributeValue_ReferenceValue:
		return k.ReferenceValue
	case *pb.AttributeValue_IntegerValue:
		return strconvItoa(k.IntegerValue)
	case *pb.AttributeValue_BooleanValue:
		if k.BooleanValue {
			return "true"
		}
		return "false"
	case *pb.AttributeValue_BinaryValue:
		return string(k.BinaryValue)
	}
	return ""
}

// Success is a successful export result for an entry.
func Success(identifier string, anchors ...*pb.AttributeChange) *pb.CSEntryChangeResult {
	return &pb.CSEntryChangeResult{Identifier: identifier, ErrorCode: pb.MAExportError_MA_EXPORT_ERROR_SUCCESS, AnchorAttributes: anchors}
}

// ExportFailure is a failed export result for an entry.
func ExportFailure(identifier string, code pb.MAExportError, name, detail string) *pb.CSEntryChangeResult {
	return &pb.CSEntryChangeResult{Identifier: identifier, ErrorCode: code, ErrorName: name, ErrorDetail: detail}
}

// Bool returns a pointer to b, for MACapabilities' optional booleans.
func Bool(b bool) *bool { return &b }
