package ecma2_test

// The runtime end to end, in process: Run serves a test connector on a Unix socket in a temp
// dir, and the tests talk to it with the generated gRPC client, as the host does.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// recorder keeps what connector code saw, across the fresh values of each session.
type recorder struct {
	mu       sync.Mutex
	closes   []pb.CloseReason
	values   int
	blocking chan struct{} // gets a token when a call starts blocking
}

func (r *recorder) closed(reason pb.CloseReason) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closes = append(r.closes, reason)
}

func (r *recorder) reasons() []pb.CloseReason {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]pb.CloseReason(nil), r.closes...)
}

// probe is the test connector. Its behaviour is chosen by the configuration parameter "mode".
type probe struct {
	rec     *recorder
	mode    string
	served  int
	entries []*pb.CSEntryChange
	size    int32
}

func (p *probe) OpenImportConnection(ctx context.Context, open *ecma2.ImportOpen) (*pb.OpenImportConnectionResults, error) {
	p.mode = open.Config.String("mode")
	p.size = open.Step.GetPageSize()
	switch p.mode {
	case "fail-open":
		return nil, ecma2.BadServerCredentials("refused password %s", open.Config.Secret("password").Reveal())
	case "panic-open":
		panic("boom")
	}
	return &pb.OpenImportConnectionResults{CustomData: "w0"}, nil
}

func (p *probe) GetImportEntries(ctx context.Context, step *pb.GetImportEntriesRunStep) (*ecma2.ImportPage, error) {
	switch p.mode {
	case "too-many":
		page := &ecma2.ImportPage{}
		for i := int32(0); i <= p.size; i++ {
			page.Entries = append(page.Entries, &pb.CSEntryChange{Dn: "CN=x"})
		}
		return page, nil
	case "block":
		p.rec.blocking <- struct{}{}
		<-ctx.Done()
		return nil, ctx.Err()
	case "big":
		big := &pb.CSEntryChange{Dn: "CN=big", ObjectModificationType: pb.ObjectModificationType_OBJECT_MODIFICATION_TYPE_ADD,
			AttributeChanges: []*pb.AttributeChange{ecma2.AttributeAdd("photo", false, ecma2.BinaryValue(make([]byte, 3*ecma2.FragmentSize)))}}
		return &ecma2.ImportPage{Entries: []*pb.CSEntryChange{big, {Dn: "CN=small"}}, CustomData: "w1"}, nil
	}
	p.served++
	return &ecma2.ImportPage{Entries: []*pb.CSEntryChange{{Dn: "CN=a"}}, CustomData: "w1", MoreToImport: p.served < 2}, nil
}

func (p *probe) CloseImportConnection(_ context.Context, step *pb.CloseImportConnectionRunStep) (*pb.CloseImportConnectionResults, error) {
	p.rec.closed(step.GetReason())
	return &pb.CloseImportConnectionResults{CustomData: step.GetCustomData()}, nil
}

func (p *probe) OpenExportConnection(context.Context, *ecma2.ExportOpen) error { return nil }

func (p *probe) PutExportEntries(_ context.Context, entries []*pb.CSEntryChange) ([]*pb.CSEntryChangeResult, error) {
	var out []*pb.CSEntryChangeResult
	for _, e := range entries {
		p.entries = append(p.entries, e)
		out = append(out, ecma2.Success(e.GetIdentifier()))
	}
	return out, nil
}

func (p *probe) CloseExportConnection(_ context.Context, step *pb.CloseExportConnectionRunStep) error {
	p.rec.closed(step.GetReason())
	return nil
}

func (p *probe) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	return nil, errors.Join(errors.New("no schema here"))
}

type harness struct {
	client pb.ConnectorServiceClient
	health healthpb.HealthClient
	conn   *grpc.ClientConn
	rec    *recorder
	logs   *syncBuffer
	done   chan error
	cancel context.CancelFunc
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

const secret = "launch-secret-1"

func start(t *testing.T) *harness {
	t.Helper()
	dir := t.TempDir()
	env := map[string]string{
		ecma2.EnvListen:        "unix:" + filepath.Join(dir, "c.sock"),
		ecma2.EnvLaunchSecret:  secret,
		ecma2.EnvConnectorName: "probe-under-test",
	}
	rec := &recorder{blocking: make(chan struct{}, 8)}
	h := &harness{rec: rec, logs: &syncBuffer{}, done: make(chan error, 1)}
	readyR, readyW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() {
		h.done <- ecma2.Run(ctx, ecma2.Connector{
			Name: "probe", Version: "1.2.3",
			New: func() any {
				rec.mu.Lock()
				rec.values++
				rec.mu.Unlock()
				return &probe{rec: rec}
			},
			ImportPageSizes: ecma2.PageSizes{Default: 10, Max: 100},
			ExportPageSizes: ecma2.PageSizes{Default: 5, Max: 50},
		}, ecma2.Options{Getenv: func(k string) string { return env[k] }, Stdout: readyW, Stderr: h.logs, NoSignals: true})
	}()
	line, err := bufio.NewReader(readyR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, readyR) }()
	var ready struct {
		Ecma2    string `json:"ecma2"`
		Protocol int    `json:"protocol"`
		Address  string `json:"address"`
		PID      int    `json:"pid"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || ready.Ecma2 != "ready" || ready.Protocol != 1 || ready.PID == 0 {
		t.Fatalf("ready line %q: %v", line, err)
	}
	if ready.Address != env[ecma2.EnvListen] {
		t.Fatalf("ready address %q, listening on %q", ready.Address, env[ecma2.EnvListen])
	}
	conn, err := grpc.NewClient("unix://"+strings.TrimPrefix(ready.Address, "unix:"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	h.conn, h.client, h.health = conn, pb.NewConnectorServiceClient(conn), healthpb.NewHealthClient(conn)
	t.Cleanup(func() {
		cancel()
		<-h.done
		conn.Close()
	})
	return h
}

func authed() context.Context {
	return metadata.AppendToOutgoingContext(context.Background(), ecma2.LaunchSecretKey, secret)
}

func params(kv ...string) []*pb.ConfigParameter {
	var out []*pb.ConfigParameter
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == "password" {
			out = append(out, &pb.ConfigParameter{Name: kv[i], IsEncrypted: true, SecureValue: &pb.Secret{Value: kv[i+1]}})
			continue
		}
		out = append(out, &pb.ConfigParameter{Name: kv[i], Value: kv[i+1]})
	}
	return out
}

func openImport(t *testing.T, h *harness, size int32, kv ...string) string {
	t.Helper()
	resp, err := h.client.OpenImportConnection(authed(), &pb.OpenImportConnectionRequest{
		ConfigParameters: params(kv...),
		ImportRunStep:    &pb.OpenImportConnectionRunStep{PageSize: size, ImportType: pb.OperationType_OPERATION_TYPE_FULL},
	})
	if err != nil {
		t.Fatal(err)
	}
	return resp.GetSessionId()
}

// page reads one import page: its entries (reassembled) and its results.
func page(t *testing.T, h *harness, ctx context.Context, session string) ([]*pb.CSEntryChange, *pb.GetImportEntriesResults, error) {
	t.Helper()
	stream, err := h.client.GetImportEntries(ctx, &pb.GetImportEntriesRequest{SessionId: session})
	if err != nil {
		return nil, nil, err
	}
	var entries []*pb.CSEntryChange
	var buf []byte
	for {
		frame, err := stream.Recv()
		if err != nil {
			return entries, nil, err
		}
		switch f := frame.GetFrame().(type) {
		case *pb.GetImportEntriesResponse_Entry:
			entries = append(entries, f.Entry)
		case *pb.GetImportEntriesResponse_EntryFragment:
			if len(f.EntryFragment.GetData()) > ecma2.FragmentSize {
				t.Fatalf("a fragment of %d bytes", len(f.EntryFragment.GetData()))
			}
			buf = append(buf, f.EntryFragment.GetData()...)
			if f.EntryFragment.GetLast() {
				e := &pb.CSEntryChange{}
				if err := protoUnmarshal(buf, e); err != nil {
					t.Fatal(err)
				}
				entries, buf = append(entries, e), nil
			}
		case *pb.GetImportEntriesResponse_Results:
			if _, err := stream.Recv(); !errors.Is(err, io.EOF) {
				t.Fatalf("a frame after results: %v", err)
			}
			return entries, f.Results, nil
		}
	}
}

func faultOf(t *testing.T, err error) *pb.Fault {
	t.Helper()
	f, ok := ecma2.FaultFromStatus(err)
	if !ok {
		t.Fatalf("no fault in %v", err)
	}
	return f
}

func TestLaunchSecretAndHealth(t *testing.T) {
	h := start(t)
	_, err := h.client.Handshake(context.Background(), &pb.HandshakeRequest{ProtocolVersions: []uint32{1}})
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a call without the launch secret: %v", err)
	}
	wrong := metadata.AppendToOutgoingContext(context.Background(), ecma2.LaunchSecretKey, "nope")
	if _, err := h.client.Handshake(wrong, &pb.HandshakeRequest{ProtocolVersions: []uint32{1}}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("a wrong launch secret: %v", err)
	}
	for _, service := range []string{"", "ecma2.v1.ConnectorService"} {
		resp, err := h.health.Check(context.Background(), &healthpb.HealthCheckRequest{Service: service})
		if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
			t.Fatalf("health %q without a secret: %v %v", service, resp, err)
		}
	}
}

func TestHandshake(t *testing.T) {
	h := start(t)
	for _, tc := range []struct {
		name     string
		versions []uint32
		want     codes.Code
	}{
		{"common version", []uint32{1, 2}, codes.OK},
		{"no common version", []uint32{7}, codes.FailedPrecondition},
		{"no version", nil, codes.FailedPrecondition},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := h.client.Handshake(authed(), &pb.HandshakeRequest{ProtocolVersions: tc.versions})
			if status.Code(err) != tc.want {
				t.Fatalf("got %v", err)
			}
			if err != nil {
				if !strings.Contains(status.Convert(err).Message(), "[1]") {
					t.Fatalf("the message names no list: %v", err)
				}
				return
			}
			info := resp.GetConnector()
			if resp.GetProtocolVersion() != 1 || info.GetName() != "probe" || info.GetLanguage() != "go" || info.GetSdkName() != ecma2.SDKName {
				t.Fatalf("handshake %v", resp)
			}
			want := []pb.Ecma2Interface{pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT, pb.Ecma2Interface_ECMA2_INTERFACE_GET_SCHEMA}
			if len(resp.GetInterfaces()) != len(want) {
				t.Fatalf("interfaces %v", resp.GetInterfaces())
			}
			for i := range want {
				if resp.GetInterfaces()[i] != want[i] {
					t.Fatalf("interfaces %v", resp.GetInterfaces())
				}
			}
			if resp.GetImportPageSizes().GetMaxPageSize() != 100 || resp.GetExportPageSizes().GetDefaultPageSize() != 5 {
				t.Fatalf("page sizes %v %v", resp.GetImportPageSizes(), resp.GetExportPageSizes())
			}
		})
	}
}

func TestUnimplementedInterfaceAndForeignError(t *testing.T) {
	h := start(t)
	_, err := h.client.GetHierarchy(authed(), &pb.GetHierarchyRequest{})
	f := faultOf(t, err)
	if status.Code(err) != codes.Unimplemented || f.GetKind() != pb.FaultKind_FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION ||
		!strings.Contains(f.GetMessage(), "IMAExtensible2GetHierarchy") || f.GetConnector() != "probe-under-test" {
		t.Fatalf("GetHierarchy: %v / %v", err, f)
	}
	_, err = h.client.GetSchema(authed(), &pb.GetSchemaRequest{})
	f = faultOf(t, err)
	if f.GetKind() != pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION || f.GetForeignTypeName() != "*errors.errorString" || f.GetCall() != "GetSchema" {
		t.Fatalf("GetSchema: %v", f)
	}
}

func TestPageSizes(t *testing.T) {
	h := start(t)
	for _, tc := range []struct {
		name string
		size int32
		want int32
		code codes.Code
	}{
		{"zero means the default", 0, 10, codes.OK},
		{"within the maximum", 100, 100, codes.OK},
		{"above the maximum", 101, 0, codes.InvalidArgument},
		{"negative", -1, 0, codes.InvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, err := h.client.OpenImportConnection(authed(), &pb.OpenImportConnectionRequest{
				ImportRunStep: &pb.OpenImportConnectionRunStep{PageSize: tc.size},
			})
			if status.Code(err) != tc.code {
				t.Fatalf("got %v", err)
			}
			if err != nil {
				if tc.size > 0 && !strings.Contains(err.Error(), "101") || tc.size > 0 && !strings.Contains(err.Error(), "100") {
					t.Fatalf("the message must name both numbers: %v", err)
				}
				return
			}
			if resp.GetPageSize() != tc.want {
				t.Fatalf("page size %d", resp.GetPageSize())
			}
		})
	}
	id := openImport(t, h, 3, "mode", "too-many")
	_, _, err := page(t, h, authed(), id)
	if f := faultOf(t, err); f.GetKind() != pb.FaultKind_FAULT_KIND_EXTENSIBLE_EXTENSION_EXCEPTION || !strings.Contains(f.GetMessage(), "4 entries") {
		t.Fatalf("an oversized page: %v", f)
	}
}

func TestImportSessionLifecycle(t *testing.T) {
	h := start(t)
	id := openImport(t, h, 0)
	entries, results, err := page(t, h, authed(), id)
	if err != nil || len(entries) != 1 || !results.GetMoreToImport() || results.GetCustomData() != "w1" {
		t.Fatalf("page 1: %v %v %v", entries, results, err)
	}
	if _, results, _ = page(t, h, authed(), id); results.GetMoreToImport() {
		t.Fatal("page 2 says more")
	}
	close := func() error {
		_, err := h.client.CloseImportConnection(authed(), &pb.CloseImportConnectionRequest{SessionId: id,
			ImportRunStep: &pb.CloseImportConnectionRunStep{Reason: pb.CloseReason_CLOSE_REASON_NORMAL}})
		return err
	}
	if err := close(); err != nil {
		t.Fatal(err)
	}
	if err := close(); err != nil {
		t.Fatalf("a second close must succeed: %v", err)
	}
	if _, _, err := page(t, h, authed(), id); status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), "session "+id+" not found") {
		t.Fatalf("a closed session: %v", err)
	}
	if got := h.rec.reasons(); len(got) != 1 || got[0] != pb.CloseReason_CLOSE_REASON_NORMAL {
		t.Fatalf("close reasons %v", got)
	}
}

func TestFailedOpenKeepsTheSessionForClose(t *testing.T) {
	h := start(t)
	for _, mode := range []string{"fail-open", "panic-open"} {
		t.Run(mode, func(t *testing.T) {
			_, err := h.client.OpenImportConnection(authed(), &pb.OpenImportConnectionRequest{ConfigParameters: params("mode", mode, "password", "s3cr3t-value")})
			f := faultOf(t, err)
			if f.GetSessionId() == "" || strings.Contains(err.Error(), "s3cr3t-value") {
				t.Fatalf("fault %v / %v", f, err)
			}
			if mode == "panic-open" && f.GetForeignTypeName() != "panic(string)" {
				t.Fatalf("a panic: %v", f)
			}
			if _, _, err := page(t, h, authed(), f.GetSessionId()); status.Code(err) != codes.FailedPrecondition {
				t.Fatalf("a page of a failed session: %v", err)
			}
			if _, err := h.client.CloseImportConnection(authed(), &pb.CloseImportConnectionRequest{SessionId: f.GetSessionId(),
				ImportRunStep: &pb.CloseImportConnectionRunStep{Reason: pb.CloseReason_CLOSE_REASON_OPEN_CONNECTION_FAILURE}}); err != nil {
				t.Fatal(err)
			}
		})
	}
	if got := h.rec.reasons(); len(got) != 2 || got[0] != pb.CloseReason_CLOSE_REASON_OPEN_CONNECTION_FAILURE {
		t.Fatalf("close reasons %v", got)
	}
	if strings.Contains(h.logs.String(), "s3cr3t-value") {
		t.Fatal("a secret reached the logs")
	}
}

func TestFragmentsBothWays(t *testing.T) {
	h := start(t)
	id := openImport(t, h, 0, "mode", "big")
	entries, _, err := page(t, h, authed(), id)
	if err != nil || len(entries) != 2 || entries[0].GetDn() != "CN=big" || entries[1].GetDn() != "CN=small" {
		t.Fatalf("entries %d %v", len(entries), err)
	}
	if n := len(entries[0].GetAttributeChanges()[0].GetValueChanges()[0].GetValue().GetBinaryValue()); n != 3*ecma2.FragmentSize {
		t.Fatalf("the big value has %d bytes", n)
	}
	exp, err := h.client.OpenExportConnection(authed(), &pb.OpenExportConnectionRequest{})
	if err != nil || exp.GetBatchSize() != 5 {
		t.Fatalf("open export %v %v", exp, err)
	}
	stream, err := h.client.PutExportEntries(authed())
	if err != nil {
		t.Fatal(err)
	}
	data := protoMarshal(t, entries[0])
	frames := []*pb.PutExportEntriesRequest{{SessionId: exp.GetSessionId(), Frame: &pb.PutExportEntriesRequest_Entry{Entry: &pb.CSEntryChange{Identifier: "a"}}}}
	for start := 0; start < len(data); start += ecma2.FragmentSize {
		end := min(start+ecma2.FragmentSize, len(data))
		frames = append(frames, &pb.PutExportEntriesRequest{Frame: &pb.PutExportEntriesRequest_EntryFragment{
			EntryFragment: &pb.EntryFragment{Data: data[start:end], Last: end == len(data)}}})
	}
	for _, f := range frames {
		if err := stream.Send(f); err != nil {
			t.Fatal(err)
		}
	}
	resp, err := stream.CloseAndRecv()
	if err != nil || len(resp.GetResults().GetCsEntryChangeResults()) != 2 {
		t.Fatalf("export %v %v", resp, err)
	}
}

func TestCancellationReachesConnectorCode(t *testing.T) {
	h := start(t)
	id := openImport(t, h, 0, "mode", "block")
	ctx, cancel := context.WithTimeout(authed(), 300*time.Millisecond)
	defer cancel()
	_, _, err := page(t, h, ctx, id)
	if code := status.Code(err); code != codes.DeadlineExceeded && code != codes.Canceled {
		t.Fatalf("a cancelled page: %v", err)
	}
	// The session stays open and closes normally.
	if _, err := h.client.CloseImportConnection(authed(), &pb.CloseImportConnectionRequest{SessionId: id,
		ImportRunStep: &pb.CloseImportConnectionRunStep{Reason: pb.CloseReason_CLOSE_REASON_TERMINATED_BY_USER}}); err != nil {
		t.Fatal(err)
	}
	if got := h.rec.reasons(); len(got) != 1 || got[0] != pb.CloseReason_CLOSE_REASON_TERMINATED_BY_USER {
		t.Fatalf("close reasons %v", got)
	}
}

func TestShutdownClosesEverySession(t *testing.T) {
	h := start(t)
	openImport(t, h, 0)
	blocked := openImport(t, h, 0, "mode", "block")
	if _, err := h.client.OpenExportConnection(authed(), &pb.OpenExportConnectionRequest{}); err != nil {
		t.Fatal(err)
	}
	inFlight := make(chan error, 1)
	go func() {
		_, _, err := page(t, h, authed(), blocked)
		inFlight <- err
	}()
	select {
	case <-h.rec.blocking:
	case <-time.After(10 * time.Second):
		t.Fatal("the page call never reached connector code")
	}
	resp, err := h.client.Shutdown(authed(), &pb.ShutdownRequest{Reason: "test"})
	if err != nil || resp.GetClosedSessions() != 3 {
		t.Fatalf("shutdown %v %v", resp, err)
	}
	select {
	case err := <-inFlight:
		if err == nil {
			t.Fatal("the call in flight was not cancelled")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the call in flight did not end")
	}
	for _, r := range h.rec.reasons() {
		if r != pb.CloseReason_CLOSE_REASON_TERMINATED_SHUTTING_DOWN {
			t.Fatalf("close reasons %v", h.rec.reasons())
		}
	}
	if len(h.rec.reasons()) != 3 {
		t.Fatalf("close reasons %v", h.rec.reasons())
	}
	select {
	case err := <-h.done:
		if err != nil {
			t.Fatalf("Run returned %v", err)
		}
		h.done <- nil
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after Shutdown")
	}
}

func TestJSONLogs(t *testing.T) {
	h := start(t)
	if _, err := h.client.Handshake(authed(), &pb.HandshakeRequest{ProtocolVersions: []uint32{1}, CallerName: "test"}); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, line := range strings.Split(strings.TrimSpace(h.logs.String()), "\n") {
		var rec map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("a log line that is not JSON: %q", line)
		}
		for _, key := range []string{"timestamp", "level", "target", "message"} {
			if _, ok := rec[key]; !ok {
				t.Fatalf("log line without %s: %q", key, line)
			}
		}
		if rec["message"] == "handshake" && rec["caller"] == "test" && rec["target"] == "probe" {
			found = true
		}
	}
	if !found {
		t.Fatalf("no handshake line in\n%s", h.logs.String())
	}
}
