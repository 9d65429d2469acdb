package main

// Connection parameters (the Connectivity page), their validation, and dialling the server.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// Parameter names.
const (
	pURL          = "URL"
	pBindDN       = "Bind DN"
	pPassword     = "Password"
	pStartTLS     = "StartTLS"
	pCAFile       = "CA file"
	pSkipVerify   = "Skip TLS verification"
	pObjectTypes  = "Object classes"
	pAccesslog    = "Accesslog base"
	pFillRequired = "Fill required attributes from the RDN"
	pExcluded     = "Excluded attributes"
)

const defaultObjectTypes = "inetOrgPerson,groupOfNames,organizationalUnit"

func definitions() []*pb.ConfigParameterDefinition {
	str := pb.ConfigParameterType_CONFIG_PARAMETER_TYPE_STRING
	check := pb.ConfigParameterType_CONFIG_PARAMETER_TYPE_CHECK_BOX
	return []*pb.ConfigParameterDefinition{
		{Name: pURL, Type: str, Text: "ldap://host:389, ldaps://host:636 or ldapi://%2Fpath%2Fto%2Fsocket"},
		{Name: pBindDN, Type: str},
		{Name: pPassword, Type: pb.ConfigParameterType_CONFIG_PARAMETER_TYPE_ENCRYPTED_STRING},
		{Name: pStartTLS, Type: check, DefaultValue: "0"},
		{Name: pCAFile, Type: str, Text: "PEM file of the CA that signed the server certificate (empty: the system's)"},
		{Name: pSkipVerify, Type: check, DefaultValue: "0"},
		{Name: pObjectTypes, Type: str, DefaultValue: defaultObjectTypes, Text: "structural object classes imported and exported, comma separated"},
		{Name: pAccesslog, Type: str, DefaultValue: "cn=accesslog", Text: "base of the accesslog overlay's database (delta import)"},
		{Name: pFillRequired, Type: check, DefaultValue: "0", Text: "on add, set required attributes the export lacks to the RDN value"},
		{Name: pExcluded, Type: str, Text: "attributes left out of the schema, comma separated"},
	}
}

// settings is a parsed configuration.
type settings struct {
	url          *url.URL
	rawURL       string
	bindDN       string
	password     ecma2.Secret
	startTLS     bool
	caFile       string
	skipVerify   bool
	classes      []string
	accesslog    string
	fillRequired bool
	excluded     map[string]bool
}

// paramError names the parameter at fault.
type paramError struct{ param, msg string }

func (e *paramError) Error() string { return e.param + ": " + e.msg }

func truthy(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func parseSettings(cfg ecma2.Config) (*settings, error) {
	s := &settings{
		rawURL:       strings.TrimSpace(cfg.String(pURL)),
		bindDN:       strings.TrimSpace(cfg.String(pBindDN)),
		password:     cfg.Secret(pPassword),
		startTLS:     truthy(cfg.String(pStartTLS)),
		caFile:       strings.TrimSpace(cfg.String(pCAFile)),
		skipVerify:   truthy(cfg.String(pSkipVerify)),
		accesslog:    strings.TrimSpace(cfg.String(pAccesslog)),
		fillRequired: truthy(cfg.String(pFillRequired)),
	}
	if s.rawURL == "" {
		return nil, &paramError{pURL, "is empty; give ldap://, ldaps:// or ldapi:// URL of the directory"}
	}
	// ldapi://%2Fpath%2Fsock (the usual spelling) becomes ldapi:///path/sock, which the
	// LDAP library dials.
	if rest, ok := strings.CutPrefix(s.rawURL, "ldapi://"); ok && strings.HasPrefix(strings.ToLower(rest), "%2f") {
		if path, err := url.PathUnescape(rest); err == nil {
			s.rawURL = "ldapi://" + path
		}
	}
	u, err := url.Parse(s.rawURL)
	if err != nil || (u.Scheme != "ldap" && u.Scheme != "ldaps" && u.Scheme != "ldapi") {
		return nil, &paramError{pURL, fmt.Sprintf("%q is not an ldap://, ldaps:// or ldapi:// URL", s.rawURL)}
	}
	s.url = u
	if s.bindDN == "" {
		return nil, &paramError{pBindDN, "is empty; give the DN the connector binds as"}
	}
	if _, err := ldap.ParseDN(s.bindDN); err != nil {
		return nil, &paramError{pBindDN, fmt.Sprintf("%q is not a DN: %v", s.bindDN, err)}
	}
	if s.password.IsEmpty() {
		return nil, &paramError{pPassword, "is empty"}
	}
	if s.startTLS && u.Scheme != "ldap" {
		return nil, &paramError{pStartTLS, "only applies to ldap:// URLs"}
	}
	if s.caFile != "" {
		if _, err := os.Stat(s.caFile); err != nil {
			return nil, &paramError{pCAFile, err.Error()}
		}
	}
	classes := cfg.String(pObjectTypes)
	if strings.TrimSpace(classes) == "" {
		classes = defaultObjectTypes
	}
	for _, c := range strings.Split(classes, ",") {
		if c = strings.TrimSpace(c); c != "" {
			s.classes = append(s.classes, c)
		}
	}
	s.excluded = map[string]bool{}
	for _, a := range strings.Split(cfg.String(pExcluded), ",") {
		if a = strings.TrimSpace(a); a != "" {
			s.excluded[strings.ToLower(a)] = true
		}
	}
	if s.accesslog == "" {
		s.accesslog = "cn=accesslog"
	}
	return s, nil
}

// secure reports whether the connection protects passwords in transit.
func (s *settings) secure() bool {
	return s.url.Scheme == "ldaps" || s.url.Scheme == "ldapi" || s.startTLS
}

func (s *settings) tlsConfig() (*tls.Config, error) {
	conf := &tls.Config{ServerName: s.url.Hostname(), InsecureSkipVerify: s.skipVerify, MinVersion: tls.VersionTLS12} //nolint:gosec // an explicit, documented option
	if s.caFile != "" {
		pem, err := os.ReadFile(s.caFile)
		if err != nil {
			return nil, &paramError{pCAFile, err.Error()}
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, &paramError{pCAFile, "holds no PEM certificate"}
		}
		conf.RootCAs = pool
	}
	return conf, nil
}

// dial connects and binds as bindDN; failures are ECMA2 faults naming the problem.
func (s *settings) dial(ctx context.Context) (*ldap.Conn, error) {
	return s.dialAs(ctx, s.bindDN, s.password)
}

func (s *settings) dialAs(ctx context.Context, dn string, password ecma2.Secret) (*ldap.Conn, error) {
	tlsConf, err := s.tlsConfig()
	if err != nil {
		return nil, err
	}
	dialer := &net.Dialer{Timeout: 10 * time.Second}
	conn, err := ldap.DialURL(s.rawURL, ldap.DialWithDialer(dialer), ldap.DialWithTLSConfig(tlsConf))
	if err != nil {
		return nil, ecma2.ServerDown("cannot reach %s: %v", s.rawURL, err)
	}
	if s.startTLS {
		if err := conn.StartTLS(tlsConf); err != nil {
			conn.Close()
			return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "StartTLS with %s failed: %v", s.rawURL, err)
		}
	}
	if err := conn.Bind(dn, password.Reveal()); err != nil {
		conn.Close()
		if ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials) {
			return nil, ecma2.BadServerCredentials("%s refused the bind as %s: invalid credentials", s.rawURL, dn)
		}
		return nil, ecma2.NewFault(pb.FaultKind_FAULT_KIND_FAILED_CONNECTION_EXCEPTION, "binding to %s as %s failed: %v", s.rawURL, dn, err)
	}
	if deadline, ok := ctx.Deadline(); ok {
		conn.SetTimeout(time.Until(deadline))
	}
	return conn, nil
}

// validate checks the parameters and, when they parse, that the server takes the bind.
func validate(ctx context.Context, cfg ecma2.Config) *pb.ParameterValidationResult {
	fail := func(param, msg string) *pb.ParameterValidationResult {
		return &pb.ParameterValidationResult{
			Code:           pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_FAILURE,
			ErrorMessage:   msg,
			ErrorParameter: param,
		}
	}
	s, err := parseSettings(cfg)
	var pe *paramError
	if errors.As(err, &pe) {
		return fail(pe.param, pe.Error())
	}
	conn, err := s.dial(ctx)
	if err != nil {
		var f *ecma2.Fault
		param := pURL
		if errors.As(err, &f) && f.Kind == pb.FaultKind_FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION {
			param = pPassword
		}
		if errors.As(err, &pe) {
			param = pe.param
		}
		return fail(param, err.Error())
	}
	conn.Close()
	return &pb.ParameterValidationResult{Code: pb.ParameterValidationResultCode_PARAMETER_VALIDATION_RESULT_CODE_SUCCESS}
}
