package ecma2

// Faults: ECMA2 exceptions as Go errors, and the one place that maps errors to gRPC statuses.

import (
	"errors"
	"fmt"
	"strings"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Fault is an ECMA2 exception. Return one (or an error wrapping one) from connector code to
// raise that exception in the engine; errors.As(err, &f) finds it in a chain.
type Fault struct {
	// Kind names the ECMA2 exception.
	Kind pb.FaultKind
	// Message is the exception's message. It must not contain secrets; the SDK also replaces
	// any secret of the call it recognises with "[redacted]".
	Message string
	// AttributeName, ParameterName, MAName, DN, ObjectClasses, ObjectType and ClassName are the
	// exception's extra properties, when its ECMA2 type has them.
	AttributeName string
	ParameterName string
	MAName        string
	DN            string
	ObjectClasses []string
	ObjectType    string
	ClassName     string
	// Cause is the inner exception, if any; it travels as Fault.inner.
	Cause error
}

// NewFault returns a fault of the given kind with a formatted message.
func NewFault(kind pb.FaultKind, format string, args ...any) *Fault {
	return &Fault{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// Error returns "<ECMA2 exception name>: message".
func (f *Fault) Error() string {
	return ExceptionName(f.Kind) + ": " + f.Message
}

// Unwrap returns the inner exception.
func (f *Fault) Unwrap() error { return f.Cause }

// ExceptionName returns the ECMA2 exception name of a kind, e.g. "ServerDownException".
// An unset or unknown kind reads as ExtensibleExtensionException, as docs/protocol.md says.
func ExceptionName(kind pb.FaultKind) string {
	name, ok := pb.FaultKind_name[int32(kind)]
	if !ok || kind == pb.FaultKind_FAULT_KIND_UNSPECIFIED {
		return "ExtensibleExtensionException"
	}
	var b strings.Builder
	for _, word := range strings.Split(strings.TrimPrefix(name, "FAULT_KIND_"), "_") {
		switch word {
		case "DN":
			b.WriteString("DN")
		default:
			b.WriteString(word[:1] + strings.ToLower(word[1:]))
		}
	}
	return b.String()
}

// Shorthands for the exceptions connectors raise most.

// ServerDown is ServerDownException: the connected system cannot be reached.
func ServerDown(format string, args ...any) *Fault {
	return NewFault(pb.FaultKind_FAULT_KIND_SERVER_DOWN_EXCEPTION, format, args...)
}

// BadServerCredentials is BadServerCredentialsException: the system refused the credentials.
func BadServerCredentials(format string, args ...any) *Fault {
	return NewFault(pb.FaultKind_FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION, format, args...)
}

// AccessDenied is AccessDeniedException.
func AccessDenied(format string, args ...any) *Fault {
	return NewFault(pb.FaultKind_FAULT_KIND_ACCESS_DENIED_EXCEPTION, format, args...)
}

// NoSuchObject is NoSuchObjectException.
func NoSuchObject(format string, args ...any) *Fault {
	return NewFault(pb.FaultKind_FAULT_KIND_NO_SUCH_OBJECT_EXCEPTION, format, args...)
}

// Extensible is ExtensibleExtensionException with a message.
func Extensible(format string, args ...any) *Fault {
	return NewFault(pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION, format, args...)
}

// CodeFor returns the gRPC code every fault of a kind travels with (docs/protocol.md#faults).
func CodeFor(kind pb.FaultKind) codes.Code {
	switch kind {
	case pb.FaultKind_FAULT_KIND_NO_SUCH_ATTRIBUTE_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_PARAMETER_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_ATTRIBUTE_IN_OBJECT_TYPE_EXCEPTION,
		pb.FaultKind_FAULT_KIND_ATTRIBUTE_DOES_NOT_EXIST_ON_OBJECT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_ATTRIBUTE_NOT_IN_INCLUSION_LIST_EXCEPTION,
		pb.FaultKind_FAULT_KIND_ATTRIBUTE_NOT_PRESENT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_ATTRIBUTE_NOT_DEFINED_AS_SOURCE_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_CLASS_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_OBJECT_TYPE_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_OBJECT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_NO_SUCH_MANAGEMENT_AGENT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_OBJECT_NOT_FOUND_EXCEPTION:
		return codes.NotFound
	case pb.FaultKind_FAULT_KIND_TOO_MANY_VALUES_EXCEPTION,
		pb.FaultKind_FAULT_KIND_INVALID_DN_EXCEPTION,
		pb.FaultKind_FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_OBJECT_TYPE_NOT_SUPPORTED_EXCEPTION,
		pb.FaultKind_FAULT_KIND_PASSWORD_ILL_FORMED_EXCEPTION:
		return codes.InvalidArgument
	case pb.FaultKind_FAULT_KIND_NO_COMPATIBLE_PARTITION_FOUND_EXCEPTION,
		pb.FaultKind_FAULT_KIND_MISSING_PARENT_OBJECT_EXCEPTION,
		pb.FaultKind_FAULT_KIND_DECLINE_MAPPING_EXCEPTION,
		pb.FaultKind_FAULT_KIND_UNEXPECTED_DATA_EXCEPTION,
		pb.FaultKind_FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION,
		pb.FaultKind_FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION,
		pb.FaultKind_FAULT_KIND_WARNING_NO_WATERMARK_EXCEPTION:
		return codes.FailedPrecondition
	case pb.FaultKind_FAULT_KIND_OBJECT_ALREADY_EXISTS_EXCEPTION:
		return codes.AlreadyExists
	case pb.FaultKind_FAULT_KIND_TERMINATE_RUN_EXCEPTION,
		pb.FaultKind_FAULT_KIND_FATAL_ENTRY_EXPORT_EXCEPTION:
		return codes.Aborted
	case pb.FaultKind_FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION:
		return codes.Unimplemented
	case pb.FaultKind_FAULT_KIND_ACCESS_DENIED_EXCEPTION:
		return codes.PermissionDenied
	case pb.FaultKind_FAULT_KIND_SERVER_DOWN_EXCEPTION,
		pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION,
		pb.FaultKind_FAULT_KIND_DROPPED_CONNECTION_EXCEPTION:
		return codes.Unavailable
	default:
		return codes.Internal
	}
}

// ForeignTypeName is what foreign_type_name says for an error that is not a [*Fault]: the Go
// type, as %T prints it, of the error once the wrappers made by fmt.Errorf and errors.Join
// are peeled off. So fmt.Errorf("reading: %w", err) with err an *fs.PathError reports
// "*fs.PathError", the type a Go programmer would match with errors.As.
func ForeignTypeName(err error) string {
	for i := 0; i < 64; i++ {
		switch fmt.Sprintf("%T", err) {
		case "*fmt.wrapError":
			err = errors.Unwrap(err)
			continue
		case "*fmt.wrapErrors", "*errors.joinError":
			if many, ok := err.(interface{ Unwrap() []error }); ok && len(many.Unwrap()) > 0 {
				err = many.Unwrap()[0]
				continue
			}
		}
		break
	}
	return fmt.Sprintf("%T", err)
}

// panicError carries a recovered panic as an error.
type panicError struct{ value any }

func (p panicError) Error() string { return fmt.Sprintf("panic: %v", p.value) }

// toFault converts any error from connector code into the Fault message of the wire.
func toFault(err error, where callInfo, secrets []string) *pb.Fault {
	var f *Fault
	var out *pb.Fault
	var pe panicError
	switch {
	case errors.As(err, &f):
		out = &pb.Fault{
			Kind:          f.Kind,
			Message:       f.Message,
			AttributeName: f.AttributeName,
			ParameterName: f.ParameterName,
			MaName:        f.MAName,
			Dn:            f.DN,
			ObjectClasses: f.ObjectClasses,
			ObjectType:    f.ObjectType,
			ClassName:     f.ClassName,
		}
		if out.Kind == pb.FaultKind_FAULT_KIND_UNSPECIFIED {
			out.Kind = pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION
		}
		if f.Cause != nil {
			out.Inner = toFault(f.Cause, where, secrets)
		}
	case errors.As(err, &pe):
		out = &pb.Fault{
			Kind:            pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION,
			Message:         pe.Error(),
			ForeignTypeName: fmt.Sprintf("panic(%T)", pe.value),
		}
	default:
		out = &pb.Fault{
			Kind:            pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION,
			Message:         err.Error(),
			ForeignTypeName: ForeignTypeName(err),
		}
	}
	out.Message = redact(out.Message, secrets)
	out.Connector = where.Connector
	out.Call = where.Call
	return out
}

// redact replaces every known secret in text.
func redact(text string, secrets []string) string {
	for _, s := range secrets {
		if s != "" {
			text = strings.ReplaceAll(text, s, "[redacted]")
		}
	}
	return text
}

// faultStatus is the gRPC status of a fault: its kind's code, its message, and the Fault in
// the details.
func faultStatus(f *pb.Fault) error {
	st := status.New(CodeFor(f.Kind), ExceptionName(f.Kind)+": "+f.Message)
	if withDetails, err := st.WithDetails(f); err == nil {
		st = withDetails
	}
	return st.Err()
}

// FaultFromStatus reads the Fault in a gRPC error's details, if there is one (for tests and
// for Go code that calls connectors or the host).
func FaultFromStatus(err error) (*pb.Fault, bool) {
	st, ok := status.FromError(err)
	if !ok {
		return nil, false
	}
	for _, d := range st.Details() {
		if f, ok := d.(*pb.Fault); ok {
			return f, true
		}
	}
	return nil, false
}
