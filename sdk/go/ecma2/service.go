package ecma2

// The gRPC adapter: ecma2.v1.ConnectorService over a registered Connector. Sessions, paging,
// framing and the error-to-status mapping live here; nothing here exits the process, and a
// failure (or panic) in one call never disturbs another session.

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/google/uuid"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// SDKName and SDKVersion are announced in the handshake.
const (
	SDKName    = "ecma2-sdk-go"
	SDKVersion = "0.1.0"
)

// protocolVersions are the ecma2 protocol versions this SDK speaks.
var protocolVersions = []uint32{1}

const (
	// closeWait is how long Close and shutdown wait for a session's call in flight.
	closeWait = 5 * time.Second
	// busyWait is how long a call waits for the previous call of its session.
	busyWait = 30 * time.Second
)

type sessionKind string

const (
	kindImport   sessionKind = "import"
	kindExport   sessionKind = "export"
	kindPassword sessionKind = "password"
)

type session struct {
	id         string
	kind       sessionKind
	instance   any
	size       int32
	customData string
	secrets    []string
	openFailed bool
	closing    bool
	busy       chan struct{} // holds one token while a call of the session runs
}

func (s *session) lock(wait time.Duration) bool {
	select {
	case s.busy <- struct{}{}:
		return true
	case <-time.After(wait):
		return false
	}
}

func (s *session) unlock() { <-s.busy }

// rpcError is a protocol failure: a status without a Fault.
type rpcError struct {
	code codes.Code
	msg  string
}

func (e *rpcError) Error() string { return e.msg }

func protocolError(code codes.Code, format string, args ...any) error {
	return &rpcError{code: code, msg: fmt.Sprintf(format, args...)}
}

type service struct {
	pb.UnimplementedConnectorServiceServer
	conn       Connector
	name       string // the name the host knows the connector by
	interfaces []pb.Ecma2Interface
	log        *slog.Logger

	mu        sync.Mutex
	sessions  map[string]*session
	accepting bool

	stopCalls    context.Context // cancelled at shutdown: cancels every call in flight
	cancelCalls  context.CancelFunc
	shutdownOnce sync.Once
	closedAtStop int

	onStopping          func()       // before anything closes (health turns NOT_SERVING)
	onShutdownRequested func(string) // the Shutdown RPC asks the runtime to stop
}

func newService(conn Connector, interfaces []pb.Ecma2Interface, name string, log *slog.Logger) *service {
	ctx, cancel := context.WithCancel(context.Background())
	return &service{
		conn:        conn,
		name:        name,
		interfaces:  interfaces,
		log:         log,
		sessions:    map[string]*session{},
		accepting:   true,
		stopCalls:   ctx,
		cancelCalls: cancel,
	}
}

// begin derives a call's context: cancelled when the caller cancels or at shutdown, carrying
// the call's logger and identity.
func (s *service) begin(rpcCtx context.Context, info callInfo) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(rpcCtx)
	stop := context.AfterFunc(s.stopCalls, cancel)
	log := s.log.With("call", info.Call)
	if info.SessionID != "" {
		log = log.With("session_id", info.SessionID)
	}
	ctx = context.WithValue(ctx, loggerKey{}, log)
	ctx = context.WithValue(ctx, callInfoKey{}, info)
	return ctx, func() { stop(); cancel() }
}

// guard runs connector code; a panic becomes an error, and every error becomes its status.
func (s *service) guard(ctx context.Context, info callInfo, secrets []string, openedSession string, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			s.log.Error("panic in connector code", "call", info.Call, "session_id", info.SessionID, "panic", redact(fmt.Sprint(r), secrets))
			err = s.status(ctx, info, secrets, openedSession, panicError{value: r})
		}
	}()
	if e := fn(); e != nil {
		return s.status(ctx, info, secrets, openedSession, e)
	}
	return nil
}

// status is the one place an error turns into a gRPC status.
func (s *service) status(ctx context.Context, info callInfo, secrets []string, openedSession string, err error) error {
	var re *rpcError
	if errors.As(err, &re) {
		s.log.Info("call refused", "call", info.Call, "code", re.code.String(), "reason", re.msg)
		return status.Error(re.code, re.msg)
	}
	var f *Fault
	if !errors.As(err, &f) && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		s.log.Info("call cancelled", "call", info.Call, "session_id", info.SessionID)
		return status.Error(codes.Canceled, info.Call+" cancelled")
	}
	fault := toFault(err, info, secrets)
	fault.SessionId = openedSession
	level := slog.LevelWarn
	if fault.ForeignTypeName != "" {
		level = slog.LevelError
	}
	s.log.Log(ctx, level, "call failed", "call", info.Call, "session_id", info.SessionID,
		"fault", ExceptionName(fault.Kind), "detail", fault.Message, "foreign_type_name", fault.ForeignTypeName)
	return faultStatus(fault)
}

func (s *service) require(i pb.Ecma2Interface) error {
	if contains(s.interfaces, i) {
		return nil
	}
	return NewFault(pb.FaultKind_FAULT_KIND_ENTRY_POINT_NOT_IMPLEMENTED_EXCEPTION,
		"%s is not implemented by %s", interfaceName(i), s.name)
}

// stateless runs a call outside any session on a fresh connector value.
func (s *service) stateless(rpcCtx context.Context, call string, i pb.Ecma2Interface, cfg Config, fn func(ctx context.Context, instance any) error) error {
	info := callInfo{Connector: s.name, Call: call}
	ctx, done := s.begin(rpcCtx, info)
	defer done()
	return s.guard(ctx, info, cfg.secrets(), "", func() error {
		if err := s.require(i); err != nil {
			return err
		}
		return fn(ctx, s.conn.New())
	})
}

func (s *service) find(id string, kind sessionKind) (*session, error) {
	s.mu.Lock()
	sess := s.sessions[id]
	s.mu.Unlock()
	if sess == nil || sess.kind != kind || sess.closing {
		return nil, protocolError(codes.NotFound, "session %s not found", id)
	}
	if sess.openFailed {
		return nil, protocolError(codes.FailedPrecondition, "session %s failed to open; close it with OpenConnectionFailure", id)
	}
	return sess, nil
}

// inSession runs a call of a live session, after the session's previous call.
func (s *service) inSession(rpcCtx context.Context, call, id string, kind sessionKind, fn func(ctx context.Context, sess *session) error, extraSecrets ...string) error {
	info := callInfo{Connector: s.name, Call: call, SessionID: id}
	ctx, done := s.begin(rpcCtx, info)
	defer done()
	sess, err := s.find(id, kind)
	if err != nil {
		return s.status(ctx, info, nil, "", err)
	}
	if !sess.lock(busyWait) {
		return status.Errorf(codes.FailedPrecondition, "session %s is busy with another call", id)
	}
	defer sess.unlock()
	secrets := append(append([]string(nil), sess.secrets...), extraSecrets...)
	return s.guard(ctx, info, secrets, "", func() error { return fn(ctx, sess) })
}

// open creates a session with a fresh connector value and runs its open method. A failed
// open leaves the session registered; the fault names it so the caller can close it.
func (s *service) open(rpcCtx context.Context, call string, kind sessionKind, i pb.Ecma2Interface, cfg Config, size int32, customData string, fn func(ctx context.Context, instance any) error) (*session, error) {
	info := callInfo{Connector: s.name, Call: call}
	secrets := cfg.secrets()
	ctx, done := s.begin(rpcCtx, info)
	defer done()
	if err := s.require(i); err != nil {
		return nil, s.status(ctx, info, secrets, "", err)
	}
	var instance any
	if err := s.guard(ctx, info, secrets, "", func() error { instance = s.conn.New(); return nil }); err != nil {
		return nil, err
	}
	sess := &session{
		id: uuid.NewString(), kind: kind, instance: instance, size: size,
		customData: customData, secrets: secrets, busy: make(chan struct{}, 1),
	}
	s.mu.Lock()
	if !s.accepting {
		s.mu.Unlock()
		return nil, status.Error(codes.Unavailable, "connector is shutting down")
	}
	s.sessions[sess.id] = sess
	s.mu.Unlock()
	info.SessionID = sess.id
	ctx = context.WithValue(ctx, callInfoKey{}, info)
	ctx = context.WithValue(ctx, loggerKey{}, Logger(ctx).With("session_id", sess.id))
	sess.lock(busyWait)
	defer sess.unlock()
	err := s.guard(ctx, info, secrets, sess.id, func() error { return fn(ctx, instance) })
	if err != nil {
		sess.openFailed = true
		s.log.Info("session failed to open", "session_id", sess.id, "kind", string(kind))
		return nil, err
	}
	s.log.Info("session opened", "session_id", sess.id, "kind", string(kind), "size", size)
	return sess, nil
}

// closeSession closes a session; an unknown or already closed one closes silently.
func (s *service) closeSession(rpcCtx context.Context, call, id string, kind sessionKind, reason string, fn func(ctx context.Context, sess *session) error) error {
	s.mu.Lock()
	sess := s.sessions[id]
	if sess == nil || sess.kind != kind || sess.closing {
		s.mu.Unlock()
		return nil
	}
	sess.closing = true
	s.mu.Unlock()
	info := callInfo{Connector: s.name, Call: call, SessionID: id}
	ctx, done := s.begin(rpcCtx, info)
	defer done()
	acquired := sess.lock(closeWait)
	if !acquired {
		s.log.Warn("closing a session whose call is still running", "session_id", id)
	}
	defer func() {
		s.mu.Lock()
		delete(s.sessions, id)
		s.mu.Unlock()
		if acquired {
			sess.unlock()
		}
		s.log.Info("session closed", "session_id", id, "kind", string(kind), "reason", reason)
	}()
	return s.guard(ctx, info, sess.secrets, "", func() error { return fn(ctx, sess) })
}

// shutdown stops new sessions, cancels calls in flight and closes every session with
// TerminatedShuttingDown. It returns how many sessions it closed; later calls return the same.
func (s *service) shutdown(reason string) int {
	s.shutdownOnce.Do(func() {
		if s.onStopping != nil {
			s.onStopping()
		}
		s.mu.Lock()
		s.accepting = false
		var sessions []*session
		for _, sess := range s.sessions {
			if !sess.closing {
				sess.closing = true
				sessions = append(sessions, sess)
			}
		}
		s.mu.Unlock()
		sort.Slice(sessions, func(a, b int) bool { return sessions[a].id < sessions[b].id })
		s.log.Info("shutting down", "reason", reason, "sessions", len(sessions))
		s.cancelCalls()
		deadline := time.Now().Add(closeWait)
		for _, sess := range sessions {
			s.closeAtShutdown(sess, time.Until(deadline))
		}
		s.closedAtStop = len(sessions)
	})
	return s.closedAtStop
}

func (s *service) closeAtShutdown(sess *session, wait time.Duration) {
	acquired := sess.lock(max(wait, 0))
	info := callInfo{Connector: s.name, Call: "Shutdown", SessionID: sess.id}
	ctx, cancel := context.WithTimeout(context.Background(), closeWait)
	defer cancel()
	ctx = context.WithValue(ctx, callInfoKey{}, info)
	ctx = context.WithValue(ctx, loggerKey{}, s.log.With("call", "Shutdown", "session_id", sess.id))
	reason := pb.CloseReason_CLOSE_REASON_TERMINATED_SHUTTING_DOWN
	err := s.guard(ctx, info, sess.secrets, "", func() error {
		switch sess.kind {
		case kindImport:
			_, err := sess.instance.(CallImport).CloseImportConnection(ctx, &pb.CloseImportConnectionRunStep{Reason: reason, CustomData: sess.customData})
			return err
		case kindExport:
			return sess.instance.(CallExport).CloseExportConnection(ctx, &pb.CloseExportConnectionRunStep{Reason: reason})
		default:
			return sess.instance.(Password).ClosePasswordConnection(ctx)
		}
	})
	if err != nil {
		s.log.Error("closing a session at shutdown failed", "session_id", sess.id, "error", err.Error())
	} else {
		s.log.Info("session closed", "session_id", sess.id, "kind", string(sess.kind), "reason", reason.String())
	}
	s.mu.Lock()
	delete(s.sessions, sess.id)
	s.mu.Unlock()
	if acquired {
		sess.unlock()
	}
}

func pageSize(requested, def, limit int32, what, limitName string) (int32, error) {
	switch {
	case requested < 0:
		return 0, protocolError(codes.InvalidArgument, "%s %d is negative", what, requested)
	case requested == 0:
		return def, nil
	case requested > limit:
		return 0, protocolError(codes.InvalidArgument, "%s %d exceeds the connector's %s of %d", what, requested, limitName, limit)
	}
	return requested, nil
}

// --- handshake, configuration, schema ---------------------------------------------------

func (s *service) Handshake(ctx context.Context, req *pb.HandshakeRequest) (*pb.HandshakeResponse, error) {
	var chosen uint32
	for _, v := range req.GetProtocolVersions() {
		for _, mine := range protocolVersions {
			if v == mine && v > chosen {
				chosen = v
			}
		}
	}
	if chosen == 0 {
		return nil, status.Errorf(codes.FailedPrecondition, "no common protocol version: caller speaks %v, connector speaks %v", req.GetProtocolVersions(), protocolVersions)
	}
	resp := &pb.HandshakeResponse{
		ProtocolVersion: chosen,
		Connector: &pb.ConnectorInfo{
			Name: s.conn.Name, Version: s.conn.Version, SdkName: SDKName, SdkVersion: SDKVersion, Language: "go",
		},
		Interfaces: s.interfaces,
	}
	if contains(s.interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_IMPORT) {
		resp.ImportPageSizes = &pb.PageSizes{DefaultPageSize: s.conn.ImportPageSizes.Default, MaxPageSize: s.conn.ImportPageSizes.Max}
	}
	if contains(s.interfaces, pb.Ecma2Interface_ECMA2_INTERFACE_CALL_EXPORT) {
		resp.ExportPageSizes = &pb.PageSizes{DefaultPageSize: s.conn.ExportPageSizes.Default, MaxPageSize: s.conn.ExportPageSizes.Max}
	}
	s.log.Info("handshake", "caller", req.GetCallerName(), "caller_version", req.GetCallerVersion(), "protocol", chosen)
	return resp, nil
}

func (s *service) GetCapabilities(ctx context.Context, _ *pb.GetCapabilitiesRequest) (*pb.GetCapabilitiesResponse, error) {
	resp := &pb.GetCapabilitiesResponse{}
	return resp, s.stateless(ctx, "GetCapabilities", pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES, Config{}, func(ctx context.Context, c any) (err error) {
		resp.Capabilities, err = c.(GetCapabilities).Capabilities(ctx)
		return err
	})
}

func (s *service) GetCapabilitiesEx(ctx context.Context, req *pb.GetCapabilitiesExRequest) (*pb.GetCapabilitiesExResponse, error) {
	resp := &pb.GetCapabilitiesExResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetCapabilitiesEx", pb.Ecma2Interface_ECMA2_INTERFACE_GET_CAPABILITIES_EX, cfg, func(ctx context.Context, c any) (err error) {
		resp.Capabilities, err = c.(GetCapabilitiesEx).GetCapabilitiesEx(ctx, cfg)
		return err
	})
}

func (s *service) GetConfigParameters(ctx context.Context, req *pb.GetConfigParametersRequest) (*pb.GetConfigParametersResponse, error) {
	resp := &pb.GetConfigParametersResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetConfigParameters", pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS, cfg, func(ctx context.Context, c any) (err error) {
		resp.Definitions, err = c.(GetParameters).GetConfigParameters(ctx, cfg, req.GetPage())
		return err
	})
}

func (s *service) ValidateConfigParameters(ctx context.Context, req *pb.ValidateConfigParametersRequest) (*pb.ValidateConfigParametersResponse, error) {
	resp := &pb.ValidateConfigParametersResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "ValidateConfigParameters", pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS, cfg, func(ctx context.Context, c any) (err error) {
		resp.Result, err = c.(GetParameters).ValidateConfigParameters(ctx, cfg, req.GetPage())
		if resp.Result != nil {
			resp.Result.ErrorMessage = redact(resp.Result.ErrorMessage, cfg.secrets())
		}
		return err
	})
}

func (s *service) GetConfigParametersEx(ctx context.Context, req *pb.GetConfigParametersExRequest) (*pb.GetConfigParametersExResponse, error) {
	resp := &pb.GetConfigParametersExResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetConfigParametersEx", pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS_EX, cfg, func(ctx context.Context, c any) (err error) {
		resp.Definitions, err = c.(GetParametersEx).GetConfigParametersEx(ctx, cfg, req.GetPage(), req.GetPageNumber())
		return err
	})
}

func (s *service) ValidateConfigParametersEx(ctx context.Context, req *pb.ValidateConfigParametersExRequest) (*pb.ValidateConfigParametersExResponse, error) {
	resp := &pb.ValidateConfigParametersExResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "ValidateConfigParametersEx", pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARAMETERS_EX, cfg, func(ctx context.Context, c any) (err error) {
		resp.Result, err = c.(GetParametersEx).ValidateConfigParametersEx(ctx, cfg, req.GetPage(), req.GetPageNumber())
		if resp.Result != nil {
			resp.Result.ErrorMessage = redact(resp.Result.ErrorMessage, cfg.secrets())
		}
		return err
	})
}

func (s *service) GetSchema(ctx context.Context, req *pb.GetSchemaRequest) (*pb.GetSchemaResponse, error) {
	resp := &pb.GetSchemaResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetSchema", pb.Ecma2Interface_ECMA2_INTERFACE_GET_SCHEMA, cfg, func(ctx context.Context, c any) (err error) {
		resp.Schema, err = c.(GetSchema).GetSchema(ctx, cfg)
		return err
	})
}

func (s *service) GetPartitions(ctx context.Context, req *pb.GetPartitionsRequest) (*pb.GetPartitionsResponse, error) {
	resp := &pb.GetPartitionsResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetPartitions", pb.Ecma2Interface_ECMA2_INTERFACE_GET_PARTITIONS, cfg, func(ctx context.Context, c any) (err error) {
		resp.Partitions, err = c.(GetPartitions).GetPartitions(ctx, cfg)
		return err
	})
}

func (s *service) GetHierarchy(ctx context.Context, req *pb.GetHierarchyRequest) (*pb.GetHierarchyResponse, error) {
	resp := &pb.GetHierarchyResponse{}
	cfg := Config{params: req.GetConfigParameters()}
	return resp, s.stateless(ctx, "GetHierarchy", pb.Ecma2Interface_ECMA2_INTERFACE_GET_HIERARCHY, cfg, func(ctx context.Context, c any) (err error) {
		resp.Nodes, err = c.(GetHierarchy).GetHierarchy(ctx, cfg, req.GetParent())
		return err
	})
}
