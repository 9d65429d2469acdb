package ecma2

// Entry framing: an entry whose encoding exceeds FragmentSize travels as consecutive
// fragments (docs/runtime.md#paging).

import (
	"fmt"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/protobuf/proto"
)

// FragmentSize is the largest encoded entry sent whole, and the size of each fragment of a
// larger one (1 MiB).
const FragmentSize = 1024 * 1024

// MaxMessageBytes is the gRPC message size limit both sides configure (16 MiB).
const MaxMessageBytes = 16 * 1024 * 1024

// frame returns the entry itself (whole) or its fragments.
func frame(entry *pb.CSEntryChange, fragmentSize int) (*pb.CSEntryChange, []*pb.EntryFragment, error) {
	if proto.Size(entry) <= fragmentSize {
		return entry, nil, nil
	}
	data, err := proto.Marshal(entry)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding entry %q: %w", entry.GetDn(), err)
	}
	var out []*pb.EntryFragment
	for start := 0; start < len(data); start += fragmentSize {
		end := min(start+fragmentSize, len(data))
		out = append(out, &pb.EntryFragment{Data: data[start:end], Last: end == len(data)})
	}
	return nil, out, nil
}

// reassembler collects fragments into an entry.
type reassembler struct {
	buf     []byte
	pending bool
}

// add takes one fragment; it returns the entry when the fragment was the last.
func (r *reassembler) add(f *pb.EntryFragment) (*pb.CSEntryChange, error) {
	r.buf = append(r.buf, f.GetData()...)
	r.pending = true
	if len(r.buf) > MaxMessageBytes*64 {
		return nil, fmt.Errorf("a fragmented entry exceeds %d bytes", MaxMessageBytes*64)
	}
	if !f.GetLast() {
		return nil, nil
	}
	entry := &pb.CSEntryChange{}
	err := proto.Unmarshal(r.buf, entry)
	r.buf, r.pending = nil, false
	if err != nil {
		return nil, fmt.Errorf("decoding a fragmented entry: %w", err)
	}
	return entry, nil
}
