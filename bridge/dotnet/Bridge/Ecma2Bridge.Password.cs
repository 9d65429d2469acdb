// Ecma2Bridge, password management (IMAExtensible2Password): one session kept across many
// SetPassword calls, as the engine keeps it; when the host has ended it (its idle timeout), the
// bridge opens a new one with the same parameters and partition and retries the call once.
// Passwords leave the SecureString only into the Secret field of the request.
using System;
using System.Collections.ObjectModel;
using System.Security;
using Ecma2.Bridge.Wire;
using Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public sealed partial class Ecma2Bridge
    {
        private string passwordSession;
        private KeyedCollection<string, ConfigParameter> passwordParameters;
        private Partition passwordPartition;

        /// <summary>How many times a password session the host had ended was reopened (tests read it).</summary>
        public int PasswordSessionsReopened { get; private set; }

        public void OpenPasswordConnection(KeyedCollection<string, ConfigParameter> configParameters, Partition partition)
        {
            Bind(configParameters);
            Restart();
            passwordParameters = configParameters;
            passwordPartition = partition;
            OpenPasswordSession();
        }

        private void OpenPasswordSession()
        {
            Pb.OpenPasswordConnectionRequest request = new Pb.OpenPasswordConnectionRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(passwordParameters));
            request.Partition = Ecma2Mapping.ToPb(passwordPartition);
            passwordSession = Call("OpenPasswordConnection", false, o => link.Connectors.OpenPasswordConnection(request, o)).SessionId;
        }

        public void ClosePasswordConnection()
        {
            if (passwordSession == null) return;
            Pb.ClosePasswordConnectionRequest request = new Pb.ClosePasswordConnectionRequest();
            request.SessionId = passwordSession;
            passwordSession = null;
            Call("ClosePasswordConnection", false, o => link.Connectors.ClosePasswordConnection(request, o));
        }

        public ConnectionSecurityLevel GetConnectionSecurityLevel()
        {
            Pb.GetConnectionSecurityLevelResponse response = InPasswordSession("GetConnectionSecurityLevel", (session, o) =>
            {
                Pb.GetConnectionSecurityLevelRequest request = new Pb.GetConnectionSecurityLevelRequest();
                request.SessionId = session;
                return link.Connectors.GetConnectionSecurityLevel(request, o);
            });
            return Ecma2Mapping.FromPb(response.Level);
        }

        public void SetPassword(CSEntry csentry, SecureString newPassword, PasswordOptions options)
        {
            Pb.CSEntry entry = Ecma2Mapping.ToPb(csentry);
            InPasswordSession("SetPassword", (session, o) =>
            {
                Pb.SetPasswordRequest request = new Pb.SetPasswordRequest();
                request.SessionId = session;
                request.Csentry = entry;
                request.NewPassword = Ecma2Mapping.Secret(newPassword);
                request.Options.AddRange(Ecma2Mapping.ToPb(options));
                return link.Connectors.SetPassword(request, o);
            });
        }

        public void ChangePassword(CSEntry csentry, SecureString oldPassword, SecureString newPassword)
        {
            Pb.CSEntry entry = Ecma2Mapping.ToPb(csentry);
            InPasswordSession("ChangePassword", (session, o) =>
            {
                Pb.ChangePasswordRequest request = new Pb.ChangePasswordRequest();
                request.SessionId = session;
                request.Csentry = entry;
                request.OldPassword = Ecma2Mapping.Secret(oldPassword);
                request.NewPassword = Ecma2Mapping.Secret(newPassword);
                return link.Connectors.ChangePassword(request, o);
            });
        }

        /// <summary>Runs a call in the password session, reopening the session once if the host has ended it.</summary>
        private T InPasswordSession<T>(string call, Func<string, CallOptions, T> send)
        {
            RequireSession(passwordParameters == null ? null : "", call, "OpenPasswordConnection");
            if (passwordSession == null) OpenPasswordSession();
            try
            {
                return send(passwordSession, Options(false));
            }
            catch (GrpcWebException e)
            {
                if (e.Code != StatusCode.NotFound || HostLink.FaultOf(e) != null) throw link.Translate(e, connector, call);
            }
            PasswordSessionsReopened++;
            OpenPasswordSession();
            try
            {
                return send(passwordSession, Options(false));
            }
            catch (GrpcWebException e)
            {
                throw link.Translate(e, connector, call);
            }
        }
    }
}
