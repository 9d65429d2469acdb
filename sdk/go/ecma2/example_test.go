package ecma2_test

import (
	"context"
	"errors"
	"fmt"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
)

// Hello is a connector with one interface: IMAExtensible2GetSchema.
type Hello struct{}

// GetSchema returns one object type.
func (Hello) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	return &pb.Schema{Types: []*pb.SchemaType{{Name: "person", Attributes: []*pb.SchemaAttribute{
		{Name: "id", DataType: pb.AttributeType_ATTRIBUTE_TYPE_STRING, IsAnchor: true},
	}}}}, nil
}

// A connector's main function registers it; Main serves it as docs/runtime.md says and exits.
func ExampleMain() {
	if false { // Main never returns, so this example only shows the call.
		ecma2.Main(ecma2.Connector{Name: "hello", Version: "1.0.0", New: func() any { return Hello{} }})
	}
}

// Return a *Fault, wrapped or not, to raise an ECMA2 exception; errors.As finds it.
func ExampleFault() {
	err := fmt.Errorf("opening the HR database: %w", ecma2.ServerDown("db.example.com:5432 refused the connection"))
	var fault *ecma2.Fault
	if errors.As(err, &fault) {
		fmt.Println(ecma2.ExceptionName(fault.Kind))
		fmt.Println(fault.Message)
	}
	// Output:
	// ServerDownException
	// db.example.com:5432 refused the connection
}

// A Secret never prints its value.
func ExampleSecret() {
	s := ecma2.NewSecret("hunter2")
	fmt.Println(s, fmt.Sprintf("%v %#v", s, s), len(s.Reveal()))
	// Output: [redacted] [redacted] [redacted] 7
}
