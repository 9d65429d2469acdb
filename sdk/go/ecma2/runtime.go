package ecma2

// The process around the service: launch environment, listeners, launch secret, health,
// ready line, remote mode with mutual TLS, and shutdown (docs/runtime.md).

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Environment variables of docs/runtime.md.
const (
	EnvListen        = "ECMA2_LISTEN"
	EnvLaunchSecret  = "ECMA2_LAUNCH_SECRET"
	EnvHostPID       = "ECMA2_HOST_PID"
	EnvConnectorName = "ECMA2_CONNECTOR_NAME"
	EnvLogFormat     = "ECMA2_LOG_FORMAT"
	EnvTLSCert       = "ECMA2_TLS_CERT"
	EnvTLSKey        = "ECMA2_TLS_KEY"
	EnvTLSClientCA   = "ECMA2_TLS_CLIENT_CA"
	EnvHealthListen  = "ECMA2_HEALTH_LISTEN"
	// LaunchSecretKey is the metadata key carrying the launch secret.
	LaunchSecretKey = "ecma2-launch-secret"
	// ExitConfig is the exit status for a configuration the runtime refuses.
	ExitConfig = 64
)

const serviceName = "ecma2.v1.ConnectorService"

// ConfigError is a launch configuration the runtime refuses (exit status 64).
type ConfigError struct{ Msg string }

func (e *ConfigError) Error() string { return e.Msg }

// Main runs the connector until it is told to stop, then exits the process: status 0 after a
// clean shutdown, 64 for a refused configuration, 1 for any other failure to start.
func Main(c Connector) {
	err := Run(context.Background(), c, Options{})
	if err == nil {
		os.Exit(0)
	}
	fmt.Fprintf(os.Stderr, "%s: %v\n", c.Name, err)
	var ce *ConfigError
	if errors.As(err, &ce) {
		os.Exit(ExitConfig)
	}
	os.Exit(1)
}

// Options overrides the process environment (tests run several connectors in one process).
type Options struct {
	// Getenv reads the environment; nil means os.Getenv.
	Getenv func(string) string
	// Stdout receives the ready line; nil means os.Stdout.
	Stdout io.Writer
	// Stderr receives the logs; nil means os.Stderr.
	Stderr io.Writer
	// NoSignals leaves SIGTERM and SIGINT alone.
	NoSignals bool
}

// Run serves the connector until ctx ends, a signal or the Shutdown RPC arrives, or the host
// disappears; then it closes every session with TerminatedShuttingDown and returns nil.
func Run(ctx context.Context, c Connector, opts Options) error {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	stdout, stderr := opts.Stdout, opts.Stderr
	if stdout == nil {
		stdout = os.Stdout
	}
	if stderr == nil {
		stderr = os.Stderr
	}
	secret := getenv(EnvLaunchSecret)
	format := getenv(EnvLogFormat)
	if format == "" {
		format = "text"
		if secret != "" {
			format = "json"
		}
	}
	if format != "json" && format != "text" {
		return &ConfigError{Msg: fmt.Sprintf("%s=%q: expected json or text", EnvLogFormat, format)}
	}
	name := getenv(EnvConnectorName)
	if name == "" {
		name = c.Name
	}
	log := slog.New(NewLogHandler(stderr, format, slog.LevelInfo)).With("target", c.Name)
	slog.SetDefault(log)

	interfaces, err := c.validate()
	if err != nil {
		return &ConfigError{Msg: err.Error()}
	}
	tlsConfig, err := remoteTLS(getenv)
	if err != nil {
		return err
	}
	listen := getenv(EnvListen)
	if listen == "" {
		listen = "tcp:127.0.0.1:0"
	}
	lis, address, err := listenOn(listen, EnvListen)
	if err != nil {
		return err
	}
	var healthLis net.Listener
	var healthAddress string
	if h := getenv(EnvHealthListen); h != "" {
		if healthLis, healthAddress, err = listenOn(h, EnvHealthListen); err != nil {
			lis.Close()
			return err
		}
	}
	var hostPID int
	if p := getenv(EnvHostPID); p != "" && tlsConfig == nil {
		if hostPID, err = strconv.Atoi(p); err != nil || hostPID <= 0 {
			return &ConfigError{Msg: fmt.Sprintf("%s=%q is not a process id", EnvHostPID, p)}
		}
	}

	svc := newService(c, interfaces, name, log)
	healthSrv := health.NewServer()
	healthSrv.SetServingStatus("", healthpb.HealthCheckResponse_SERVING)
	healthSrv.SetServingStatus(serviceName, healthpb.HealthCheckResponse_SERVING)
	svc.onStopping = func() { healthSrv.Shutdown() }

	serverOpts := []grpc.ServerOption{
		grpc.MaxRecvMsgSize(MaxMessageBytes),
		grpc.MaxSendMsgSize(MaxMessageBytes),
	}
	if tlsConfig != nil {
		serverOpts = append(serverOpts, grpc.Creds(credentials.NewTLS(tlsConfig)))
	} else if secret != "" {
		serverOpts = append(serverOpts,
			grpc.ChainUnaryInterceptor(unarySecret(secret)),
			grpc.ChainStreamInterceptor(streamSecret(secret)))
	}
	server := grpc.NewServer(serverOpts...)
	pb.RegisterConnectorServiceServer(server, svc)
	healthpb.RegisterHealthServer(server, healthSrv)
	var healthServer *grpc.Server
	if healthLis != nil {
		healthServer = grpc.NewServer()
		healthpb.RegisterHealthServer(healthServer, healthSrv)
	}

	stop := make(chan string, 4)
	svc.onShutdownRequested = func(reason string) { stop <- "shutdown rpc: " + reason }
	// Signals are ours before the first call can arrive: a SIGTERM right after the ready line
	// must close sessions too, not kill the process (found by the conformance kit).
	if !opts.NoSignals {
		signals := make(chan os.Signal, 2)
		signal.Notify(signals, syscall.SIGTERM, syscall.SIGINT)
		defer signal.Stop(signals)
		go func() {
			if sig, ok := <-signals; ok {
				stop <- "signal " + sig.String()
			}
		}()
	}
	serveErr := make(chan error, 2)
	go func() { serveErr <- server.Serve(lis) }()
	if healthServer != nil {
		go func() { serveErr <- healthServer.Serve(healthLis) }()
	}

	ready := struct {
		Ecma2         string `json:"ecma2"`
		Protocol      uint32 `json:"protocol"`
		Address       string `json:"address"`
		PID           int    `json:"pid"`
		HealthAddress string `json:"health_address,omitempty"`
	}{"ready", protocolVersions[len(protocolVersions)-1], address, os.Getpid(), healthAddress}
	line, _ := json.Marshal(ready)
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		server.Stop()
		return fmt.Errorf("writing the ready line: %w", err)
	}
	if f, ok := stdout.(*os.File); ok {
		_ = f.Sync()
	}
	log.Info("listening", "address", address, "interfaces", len(interfaces), "tls", tlsConfig != nil)

	watchCtx, stopWatch := context.WithCancel(ctx)
	defer stopWatch()
	if hostPID > 0 {
		go watchHost(watchCtx, hostPID, func() { stop <- fmt.Sprintf("host process %d is gone", hostPID) })
	}

	var reason string
	select {
	case reason = <-stop:
	case <-ctx.Done():
		reason = "context done"
	case err := <-serveErr:
		reason = fmt.Sprintf("server stopped: %v", err)
	}
	closed := svc.shutdown(reason)
	stopped := make(chan struct{})
	go func() {
		server.GracefulStop()
		if healthServer != nil {
			healthServer.GracefulStop()
		}
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(closeWait):
		server.Stop()
		if healthServer != nil {
			healthServer.Stop()
		}
	}
	if strings.HasPrefix(listen, "unix:") {
		_ = os.Remove(strings.TrimPrefix(listen, "unix:"))
	}
	// docs/runtime.md#shutdown: the count of sessions closed, for the conformance kit and operators.
	log.Info("stopped", "reason", reason, "closed_sessions", closed)
	return nil
}

// listenOn binds `unix:/path` or `tcp:HOST:PORT`; it returns the listener and its address in
// the same syntax, with the real port.
func listenOn(spec, key string) (net.Listener, string, error) {
	switch {
	case strings.HasPrefix(spec, "unix:"):
		path := strings.TrimPrefix(spec, "unix:")
		if path == "" {
			return nil, "", &ConfigError{Msg: fmt.Sprintf("%s=%q: empty socket path", key, spec)}
		}
		_ = os.Remove(path)
		lis, err := net.Listen("unix", path)
		if err != nil {
			return nil, "", fmt.Errorf("%s=%q: %w", key, spec, err)
		}
		_ = os.Chmod(path, 0o600)
		return lis, spec, nil
	case strings.HasPrefix(spec, "tcp:"):
		lis, err := net.Listen("tcp", strings.TrimPrefix(spec, "tcp:"))
		if err != nil {
			return nil, "", fmt.Errorf("%s=%q: %w", key, spec, err)
		}
		return lis, "tcp:" + lis.Addr().String(), nil
	}
	return nil, "", &ConfigError{Msg: fmt.Sprintf("%s=%q: expected unix:/path or tcp:HOST:PORT", key, spec)}
}

// remoteTLS builds the mutual-TLS configuration of remote mode, or nil without ECMA2_TLS_CERT.
func remoteTLS(getenv func(string) string) (*tls.Config, error) {
	certFile, keyFile, caFile := getenv(EnvTLSCert), getenv(EnvTLSKey), getenv(EnvTLSClientCA)
	if certFile == "" && keyFile == "" && caFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, &ConfigError{Msg: fmt.Sprintf("remote mode needs both %s and %s", EnvTLSCert, EnvTLSKey)}
	}
	if caFile == "" {
		return nil, &ConfigError{Msg: fmt.Sprintf("%s is required with TLS: there is no unauthenticated remote mode", EnvTLSClientCA)}
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("%s/%s: %v", EnvTLSCert, EnvTLSKey, err)}
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, &ConfigError{Msg: fmt.Sprintf("%s: %v", EnvTLSClientCA, err)}
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, &ConfigError{Msg: fmt.Sprintf("%s=%q holds no PEM certificate", EnvTLSClientCA, caFile)}
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		ClientCAs:    pool,
		ClientAuth:   tls.RequireAndVerifyClientCert,
		MinVersion:   tls.VersionTLS12,
		NextProtos:   []string{"h2"},
	}, nil
}

func checkSecret(ctx context.Context, method, secret string) error {
	if strings.HasPrefix(method, "/grpc.health.v1.Health/") {
		return nil
	}
	md, _ := metadata.FromIncomingContext(ctx)
	for _, got := range md.Get(LaunchSecretKey) {
		if subtle.ConstantTimeCompare([]byte(got), []byte(secret)) == 1 {
			return nil
		}
	}
	return status.Error(codes.Unauthenticated, "missing or wrong "+LaunchSecretKey)
}

func unarySecret(secret string) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if err := checkSecret(ctx, info.FullMethod, secret); err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

func streamSecret(secret string) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		if err := checkSecret(ss.Context(), info.FullMethod, secret); err != nil {
			return err
		}
		return handler(srv, ss)
	}
}
