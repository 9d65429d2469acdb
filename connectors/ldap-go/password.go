package main

// Passwords: set (as the bind DN) and change (as the user, with the old password) with the
// RFC 3062 Password Modify extended operation, only over TLS or ldapi://.

import (
	"context"

	"ecma2host.dev/sdk/go/ecma2"
	pb "ecma2host.dev/sdk/go/ecma2v1"
	"github.com/go-ldap/ldap/v3"
)

// OpenPasswordConnection binds; it refuses a connection that would send passwords in clear.
func (l *LDAP) OpenPasswordConnection(ctx context.Context, cfg ecma2.Config, _ *pb.Partition) error {
	if err := l.connect(ctx, cfg); err != nil {
		return err
	}
	if !l.settings.secure() {
		l.close()
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION,
			"password operations need ldaps://, ldapi:// or StartTLS; %s is plain LDAP", l.settings.rawURL)
	}
	return nil
}

// GetConnectionSecurityLevel is Secure: an open password session is always protected.
func (l *LDAP) GetConnectionSecurityLevel(context.Context) (pb.ConnectionSecurityLevel, error) {
	return pb.ConnectionSecurityLevel_CONNECTION_SECURITY_LEVEL_SECURE, nil
}

// SetPassword sets a password as the bind DN.
func (l *LDAP) SetPassword(ctx context.Context, entry *pb.CSEntry, newPassword ecma2.Secret, _ []pb.PasswordOption) error {
	_, err := l.conn.PasswordModify(ldap.NewPasswordModifyRequest(entry.GetDn(), "", newPassword.Reveal()))
	if err != nil {
		return passwordFault(err, entry.GetDn())
	}
	ecma2.Logger(ctx).Info("password set", "dn", entry.GetDn())
	return nil
}

// ChangePassword binds as the user with the old password and changes it.
func (l *LDAP) ChangePassword(ctx context.Context, entry *pb.CSEntry, oldPassword, newPassword ecma2.Secret) error {
	conn, err := l.settings.dialAs(ctx, entry.GetDn(), oldPassword)
	if err != nil {
		if f, ok := err.(*ecma2.Fault); ok && f.Kind == pb.FaultKind_FAULT_KIND_BAD_SERVER_CREDENTIALS_EXCEPTION {
			return ecma2.NewFault(pb.FaultKind_FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION, "the old password of %s is not correct", entry.GetDn())
		}
		return err
	}
	defer conn.Close()
	if _, err := conn.PasswordModify(ldap.NewPasswordModifyRequest("", oldPassword.Reveal(), newPassword.Reveal())); err != nil {
		return passwordFault(err, entry.GetDn())
	}
	ecma2.Logger(ctx).Info("password changed", "dn", entry.GetDn())
	return nil
}

func passwordFault(err error, dn string) error {
	switch {
	case ldap.IsErrorWithCode(err, ldap.LDAPResultNoSuchObject):
		return ecma2.NoSuchObject("%s does not exist", dn)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInsufficientAccessRights):
		return ecma2.AccessDenied("the bind DN may not change the password of %s", dn)
	case ldap.IsErrorWithCode(err, ldap.LDAPResultConstraintViolation), ldap.IsErrorWithCode(err, ldap.LDAPResultUnwillingToPerform):
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_PASSWORD_POLICY_VIOLATION_EXCEPTION, "the directory refused the new password of %s: %v", dn, ldapMessage(err))
	case ldap.IsErrorWithCode(err, ldap.LDAPResultInvalidCredentials):
		return ecma2.NewFault(pb.FaultKind_FAULT_KIND_OLD_PASSWORD_INCORRECT_EXCEPTION, "the old password of %s is not correct", dn)
	}
	return ecma2.NewFault(pb.FaultKind_FAULT_KIND_PASSWORD_EXTENSION_EXCEPTION, "changing the password of %s failed: %v", dn, ldapMessage(err))
}

// ldapMessage is an LDAP error's code name, never the request (which held the password).
func ldapMessage(err error) string {
	if le, ok := err.(*ldap.Error); ok {
		return ldap.LDAPResultCodeMap[le.ResultCode]
	}
	return "connection error"
}

// ClosePasswordConnection releases the connection.
func (l *LDAP) ClosePasswordConnection(context.Context) error {
	l.close()
	return nil
}
