package ecma2

import (
	"testing"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/protobuf/proto"
)

func mustMarshal(t *testing.T, e *pb.CSEntryChange) []byte {
	t.Helper()
	b, err := proto.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
