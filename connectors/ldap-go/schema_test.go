package main

import (
	"reflect"
	"testing"

	pb "ecma2host.dev/sdk/go/ecma2v1"
)

func TestFields(t *testing.T) {
	for _, tc := range []struct {
		name string
		desc string
		want map[string][]string
	}{
		{"attribute type", "( 2.5.4.3 NAME ( 'cn' 'commonName' ) DESC 'RFC4519: common name(s)' SUP name )",
			map[string][]string{"NAME": {"cn", "commonName"}, "DESC": {"RFC4519: common name(s)"}, "SUP": {"name"}}},
		{"flags and a syntax length", "( 1.1 NAME 'x' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{256} SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
			map[string][]string{"NAME": {"x"}, "SYNTAX": {"1.3.6.1.4.1.1466.115.121.1.15{256}"}, "SINGLE-VALUE": nil, "NO-USER-MODIFICATION": nil, "USAGE": {"directoryOperation"}}},
		{"object class lists", "( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ telephoneNumber ) )",
			map[string][]string{"NAME": {"person"}, "SUP": {"top"}, "STRUCTURAL": nil, "MUST": {"sn", "cn"}, "MAY": {"userPassword", "telephoneNumber"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fields(tc.desc); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("fields = %#v\nwant %#v", got, tc.want)
			}
		})
	}
}

func TestSchemaFromSubschema(t *testing.T) {
	sub := parseSubschema([]string{
		"( 2.5.4.41 NAME 'name' SYNTAX 1.3.6.1.4.1.1466.115.121.1.15{32768} )",
		"( 2.5.4.3 NAME ( 'cn' 'commonName' ) SUP name )",
		"( 2.5.4.4 NAME ( 'sn' 'surname' ) SUP name )",
		"( 2.5.4.31 NAME 'member' SYNTAX 1.3.6.1.4.1.1466.115.121.1.12 )",
		"( 1.1.1 NAME 'employeeCount' SYNTAX 1.3.6.1.4.1.1466.115.121.1.27 SINGLE-VALUE )",
		"( 1.1.2 NAME 'photo' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
		"( 1.1.3 NAME 'active' SYNTAX 1.3.6.1.4.1.1466.115.121.1.7 SINGLE-VALUE )",
		"( 2.5.4.35 NAME 'userPassword' SYNTAX 1.3.6.1.4.1.1466.115.121.1.40 )",
		"( 1.3.6.1.1.16.4 NAME 'entryUUID' SYNTAX 1.3.6.1.1.16.1 SINGLE-VALUE NO-USER-MODIFICATION USAGE directoryOperation )",
	}, []string{
		"( 2.5.6.0 NAME 'top' ABSTRACT MUST objectClass )",
		"( 2.5.6.6 NAME 'person' SUP top STRUCTURAL MUST ( sn $ cn ) MAY ( userPassword $ photo ) )",
		"( 9.9 NAME 'staff' SUP person STRUCTURAL MAY ( member $ employeeCount $ active $ surname ) )",
	})
	schema, err := buildSchema(sub, []string{"staff"}, map[string]bool{"photo": true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range schema.GetTypes()[0].GetAttributes() {
		kind := a.GetDataType().String()
		if a.GetIsMultiValued() {
			kind += " multi"
		}
		if a.GetIsAnchor() {
			kind += " anchor"
		}
		got[a.GetName()] = kind
	}
	want := map[string]string{
		"entryUUID":     "ATTRIBUTE_TYPE_STRING anchor",
		"sn":            "ATTRIBUTE_TYPE_STRING multi",
		"cn":            "ATTRIBUTE_TYPE_STRING multi",
		"member":        "ATTRIBUTE_TYPE_REFERENCE multi",
		"employeeCount": "ATTRIBUTE_TYPE_INTEGER",
		"active":        "ATTRIBUTE_TYPE_BOOLEAN",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("schema attributes %v\nwant %v", got, want)
	}
	if schema.GetTypes()[0].GetName() != "staff" {
		t.Errorf("type %q", schema.GetTypes()[0].GetName())
	}
	if _, err := buildSchema(sub, []string{"nosuchclass"}, nil); err == nil {
		t.Error("an unknown object class was accepted")
	}
	if v, err := toValue(pb.AttributeType_ATTRIBUTE_TYPE_INTEGER, []byte("x1")); err == nil {
		t.Errorf("a bad integer became %v", v)
	}
}
