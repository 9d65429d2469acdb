package ecma2_test

// Remote mode: mutual TLS with a client CA, the plain health port, and the refusal of TLS
// without a client CA.

import (
	"bufio"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

type issued struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	der  []byte
}

func issue(t *testing.T, name string, parent *issued, server bool) *issued {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: name},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	signer, signerKey := tmpl, key
	if parent == nil {
		tmpl.IsCA, tmpl.BasicConstraintsValid = true, true
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		signer, signerKey = parent.cert, parent.key
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		if server {
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
			tmpl.IPAddresses = []net.IP{net.ParseIP("127.0.0.1")}
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &issued{cert: cert, key: key, der: der}
}

func (i *issued) write(t *testing.T, dir, name string) (certFile, keyFile string) {
	t.Helper()
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	keyDER, _ := x509.MarshalECPrivateKey(i.key)
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: i.der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func (i *issued) tls() tls.Certificate {
	return tls.Certificate{Certificate: [][]byte{i.der}, PrivateKey: i.key}
}

type schemaOnly struct{}

func (schemaOnly) GetSchema(context.Context, ecma2.Config) (*pb.Schema, error) {
	return &pb.Schema{Types: []*pb.SchemaType{{Name: "user"}}}, nil
}

func TestRemoteModeMutualTLS(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, "ca", nil, false)
	caFile, _ := ca.write(t, dir, "ca")
	certFile, keyFile := issue(t, "connector", ca, true).write(t, dir, "connector")
	client := issue(t, "host", ca, false)
	stranger := issue(t, "stranger", issue(t, "other-ca", nil, false), false)

	env := map[string]string{
		ecma2.EnvListen: "tcp:127.0.0.1:0", ecma2.EnvHealthListen: "tcp:127.0.0.1:0",
		ecma2.EnvTLSCert: certFile, ecma2.EnvTLSKey: keyFile, ecma2.EnvTLSClientCA: caFile,
		ecma2.EnvLogFormat: "json",
	}
	readyR, readyW := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ecma2.Run(ctx, ecma2.Connector{Name: "remote", New: func() any { return schemaOnly{} }},
			ecma2.Options{Getenv: func(k string) string { return env[k] }, Stdout: readyW, Stderr: io.Discard, NoSignals: true})
	}()
	defer func() { cancel(); <-done }()
	line, err := bufio.NewReader(readyR).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go func() { _, _ = io.Copy(io.Discard, readyR) }()
	var ready struct {
		Address       string `json:"address"`
		HealthAddress string `json:"health_address"`
	}
	if err := json.Unmarshal([]byte(line), &ready); err != nil || !strings.HasPrefix(ready.HealthAddress, "tcp:127.0.0.1:") {
		t.Fatalf("ready line %q", line)
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca.cert)
	dial := func(cert *issued) (pb.ConnectorServiceClient, func()) {
		conf := &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}
		if cert != nil {
			conf.Certificates = []tls.Certificate{cert.tls()}
		}
		conn, err := grpc.NewClient(strings.TrimPrefix(ready.Address, "tcp:"), grpc.WithTransportCredentials(credentials.NewTLS(conf)))
		if err != nil {
			t.Fatal(err)
		}
		return pb.NewConnectorServiceClient(conn), func() { conn.Close() }
	}
	for _, tc := range []struct {
		name string
		cert *issued
		ok   bool
	}{
		{"a host certificate from the client CA", client, true},
		{"no client certificate", nil, false},
		{"a certificate from another CA", stranger, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, closeConn := dial(tc.cert)
			defer closeConn()
			callCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			resp, err := c.GetSchema(callCtx, &pb.GetSchemaRequest{})
			if tc.ok != (err == nil) {
				t.Fatalf("GetSchema: %v %v", resp, err)
			}
		})
	}
	conn, err := grpc.NewClient(strings.TrimPrefix(ready.HealthAddress, "tcp:"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(context.Background(), &healthpb.HealthCheckRequest{Service: "ecma2.v1.ConnectorService"})
	if err != nil || resp.GetStatus() != healthpb.HealthCheckResponse_SERVING {
		t.Fatalf("plain health port: %v %v", resp, err)
	}
}

func TestRemoteModeRefusedConfigurations(t *testing.T) {
	dir := t.TempDir()
	ca := issue(t, "ca", nil, false)
	certFile, keyFile := issue(t, "connector", ca, true).write(t, dir, "connector")
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"TLS without a client CA", map[string]string{ecma2.EnvTLSCert: certFile, ecma2.EnvTLSKey: keyFile}, "ECMA2_TLS_CLIENT_CA is required"},
		{"a certificate without its key", map[string]string{ecma2.EnvTLSCert: certFile, ecma2.EnvTLSClientCA: certFile}, "ECMA2_TLS_KEY"},
		{"a bad listen address", map[string]string{ecma2.EnvListen: "http://x"}, "ECMA2_LISTEN"},
		{"a bad log format", map[string]string{ecma2.EnvLogFormat: "xml"}, "ECMA2_LOG_FORMAT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ecma2.Run(context.Background(), ecma2.Connector{Name: "remote", New: func() any { return schemaOnly{} }},
				ecma2.Options{Getenv: func(k string) string { return tc.env[k] }, Stdout: io.Discard, Stderr: io.Discard, NoSignals: true})
			var ce *ecma2.ConfigError
			if !errors.As(err, &ce) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want a ConfigError naming %s", err, tc.want)
			}
		})
	}
}
