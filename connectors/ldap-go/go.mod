module ecma2host.dev/connectors/ldap-go

go 1.26.0

require (
	ecma2host.dev/sdk/go v0.0.0
	github.com/go-ldap/ldap/v3 v3.4.15
)

require (
	github.com/Azure/go-ntlmssp v0.1.1 // indirect
	github.com/go-asn1-ber/asn1-ber v1.5.8 // indirect
	github.com/google/uuid v1.6.0 // indirect
	golang.org/x/crypto v0.57.0 // indirect
	golang.org/x/net v0.60.0 // indirect
	golang.org/x/sys v0.48.0 // indirect
	golang.org/x/text v0.42.0 // indirect
	google.golang.org/genproto/googleapis/rpc v0.0.0-20260817212433-ac3dfec99bb1 // indirect
	google.golang.org/grpc v1.85.0 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
)

// The SDK comes from this repository's checkout (see sdk/go/README.md, "Importing the SDK").
replace ecma2host.dev/sdk/go => ../../sdk/go
