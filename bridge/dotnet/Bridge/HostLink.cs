// HostLink: one gRPC-Web channel to ecma2-host per (address, token), shared by every MA the
// bridge serves in the process, with the typed clients, per-call options (the connector's
// `ecma2-connector` metadata, a deadline, a cancellation token) and the one place where a failed
// call becomes an ECMA2 exception.
using System;
using System.Collections.Generic;
using System.Threading;
using Ecma2.Bridge.Wire;
using Ecma2.Protobuf;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    /// <summary>A connection to one ecma2-host engine endpoint.</summary>
    public sealed class HostLink
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, HostLink> Links = new Dictionary<string, HostLink>();

        /// <summary>The engine endpoint.</summary>
        public string Address { get; private set; }

        /// <summary>ConnectorService: every ECMA2 call, forwarded by the host.</summary>
        public Pb.ConnectorServiceClient Connectors { get; private set; }

        /// <summary>HostService: host information and connector status.</summary>
        public Pb.HostServiceClient Host { get; private set; }

        private readonly BridgeSettings settings;

        private HostLink(string address, string token, BridgeSettings settings)
        {
            Address = address;
            this.settings = settings;
            GrpcWebChannelOptions options = new GrpcWebChannelOptions();
            options.BaseAddress = new Uri(address);
            options.BearerToken = token;
            options.MaxConnections = settings.MaxConnections;
            GrpcWebChannel channel = new GrpcWebChannel(options);
            Connectors = new Pb.ConnectorServiceClient(channel);
            Host = new Pb.HostServiceClient(channel);
        }

        /// <summary>The shared link for the settings' token and this address (the settings' host when null).</summary>
        public static HostLink For(BridgeSettings settings, string address)
        {
            string host = string.IsNullOrEmpty(address) ? settings.Host : address;
            string token = settings.ReadToken();
            // The token file is re-read on every session, so a rotated token takes effect without a restart.
            string key = host + "\n" + token.GetHashCode().ToString("x8") + "\n" + token.Length;
            lock (Gate)
            {
                HostLink link;
                if (!Links.TryGetValue(key, out link))
                {
                    link = new HostLink(host, token, settings);
                    Links[key] = link;
                }
                return link;
            }
        }

        /// <summary>Options for a call to <paramref name="connector"/> that must end within <paramref name="timeout"/>.</summary>
        public CallOptions Options(string connector, TimeSpan timeout, CancellationToken token)
        {
            CallOptions o = CallOptions.ForConnector(connector);
            o.Deadline = DateTime.UtcNow + timeout;
            o.CancellationToken = token;
            return o;
        }

        /// <summary>The deadline of an ordinary call.</summary>
        public TimeSpan CallTimeout { get { return TimeSpan.FromSeconds(settings.CallTimeoutSeconds); } }

        /// <summary>The deadline of an import page or export batch.</summary>
        public TimeSpan PageTimeout { get { return TimeSpan.FromSeconds(settings.PageTimeoutSeconds); } }

        /// <summary>The Fault a failed call carries, or null.</summary>
        public static Pb.Fault FaultOf(GrpcWebException e)
        {
            if (e.Status == null) return null;
            foreach (Any detail in e.Status.Details)
            {
                if (detail.Is(Pb.Fault.ProtoName)) return detail.Unpack<Pb.Fault>();
            }
            return null;
        }

        /// <summary>The ECMA2 exception for a failed call: the Fault's own type, or one that says what failed.</summary>
        public Exception Translate(GrpcWebException e, string connector, string call)
        {
            Pb.Fault fault = FaultOf(e);
            if (fault != null) return Faults.ToException(fault);
            string what = "ecma2-host bridge: " + call + " for connector `" + connector + "` at " + Address;
            switch (e.Code)
            {
                case StatusCode.Unavailable:
                    return new Mms.ServerDownException(what + ": the host cannot be reached: " + e.Detail, e);
                case StatusCode.Unauthenticated:
                    return new Mms.BadServerCredentialsException(what + ": the host refused the token from " + settings.TokenFile + ": " + e.Detail, e);
                case StatusCode.Cancelled:
                    return new Mms.ExtensibleExtensionException(what + ": the call was cancelled", e);
                default:
                    return new Mms.ExtensibleExtensionException(what + " failed with " + e.Code + ": " + e.Detail, e);
            }
        }
    }
}
