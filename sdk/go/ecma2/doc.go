// Package ecma2 is the Go SDK for ecma2-host connectors: write the ECMA2 interfaces your
// connector needs as plain Go methods, hand a factory to [Main], and the SDK does the runtime
// protocol of docs/runtime.md (launch environment, ready line, launch secret, grpc.health.v1,
// handshake, sessions with a fresh connector value each, page and fragment framing, faults,
// JSON logs on stderr, remote mode with mutual TLS, shutdown).
//
// Connector code works with the contract's own messages from package
// ecma2host.dev/sdk/go/ecma2v1 (CSEntryChange, Schema, MACapabilities, ...), plus a few helpers
// here ([StringValue], [Add], [Config], [Secret], [Fault]). A connector value implements any
// subset of [CallImport], [CallExport], [FileImport], [FileExport], [GetSchema],
// [GetPartitions], [GetHierarchy], [GetCapabilities], [GetCapabilitiesEx], [GetParameters],
// [GetParametersEx] and [Password]; the SDK announces exactly those in the handshake and
// answers UNIMPLEMENTED with an EntryPointNotImplementedException fault for the others.
//
// Errors: return a [*Fault] (for example [NewFault] with [pb.FaultKind_FAULT_KIND_SERVER_DOWN_EXCEPTION],
// or the shorthands such as [ServerDown]) to raise a well-known ECMA2 exception. Any other error,
// and any panic, becomes ExtensibleExtensionException with foreign_type_name set to the Go type
// of the innermost error of its [errors.Unwrap] chain (for example "*fs.PathError"), or
// "panic(T)" for a panic with a value of type T. Faults may be wrapped with fmt.Errorf("%w"):
// the SDK finds them with errors.As.
package ecma2
