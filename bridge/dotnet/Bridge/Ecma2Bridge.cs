// Ecma2Bridge: the ECMA2 connector that MIM (or the Entra ECMA Connector Host) loads from its
// Extensions folder. It implements all twelve IMAExtensible2* interfaces and forwards every call
// to a connector run by ecma2-host, over gRPC-Web. This file holds what every call shares: which
// host and connector the MA uses, the per-call options, cancellation and the handshake cache; the
// interfaces are in the other Ecma2Bridge.*.cs files.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Threading;
using Ecma2.Bridge.Wire;
using Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    /// <summary>An ECMA2 connector that forwards every call to a connector run by ecma2-host.</summary>
    public sealed partial class Ecma2Bridge :
        IMAExtensible2CallImport,
        IMAExtensible2CallExport,
        IMAExtensible2FileImport,
        IMAExtensible2FileExport,
        IMAExtensible2GetSchema,
        IMAExtensible2GetPartitions,
        IMAExtensible2GetHierarchy,
        IMAExtensible2GetCapabilities,
        IMAExtensible2GetCapabilitiesEx,
        IMAExtensible2GetParameters,
        IMAExtensible2GetParametersEx,
        IMAExtensible2Password
    {
        /// <summary>Entries whose encoding is larger than this travel as fragments (docs/protocol.md).</summary>
        public const int FragmentSize = 1024 * 1024;

        private static readonly object HandshakeGate = new object();
        private static readonly Dictionary<string, KeyValuePair<DateTime, Pb.HandshakeResponse>> Handshakes = new Dictionary<string, KeyValuePair<DateTime, Pb.HandshakeResponse>>();

        /// <summary>How long a recorded handshake is used before it is asked again (a connector upgraded in the host shows within this).</summary>
        public static readonly TimeSpan HandshakeLifetime = TimeSpan.FromMinutes(1);

        private readonly object gate = new object();
        private BridgeSettings settings;
        private HostLink link;
        private string connector;
        private CancellationTokenSource cancel = new CancellationTokenSource();

        /// <summary>What MIM calls: settings from Ecma2Bridge.settings next to the DLL (or ECMA2_BRIDGE_SETTINGS).</summary>
        public Ecma2Bridge() { }

        /// <summary>A bridge with the given settings (tests, the driver).</summary>
        public Ecma2Bridge(BridgeSettings settings)
        {
            this.settings = settings;
        }

        /// <summary>The connector this instance forwards to, once known.</summary>
        public string ConnectorName { get { return connector; } }

        /// <summary>
        /// Stops the run: the call in flight is cancelled (the host then closes its session with
        /// TerminatedByUser) and the bridge closes the session with TerminatedByUser itself.
        /// MIM stops a run by aborting its thread, which the bridge handles the same way.
        /// </summary>
        public void Cancel()
        {
            lock (gate)
            {
                cancel.Cancel();
            }
        }

        private BridgeSettings Settings
        {
            get
            {
                if (settings == null) settings = BridgeSettings.Load();
                return settings;
            }
        }

        /// <summary>Picks the host and connector: the Connectivity page's, else the settings file's.</summary>
        private void Bind(KeyedCollection<string, ConfigParameter> parameters)
        {
            string named = BridgeParameters.Value(parameters, BridgeParameters.Connector);
            string address = BridgeParameters.Value(parameters, BridgeParameters.Host);
            string chosen = named ?? connector ?? Settings.Connector;
            if (string.IsNullOrEmpty(chosen))
            {
                throw new ExtensibleExtensionException("ecma2-host bridge: no connector is named; set `" + BridgeParameters.Connector + "` on the Connectivity page or `connector` in " + Settings.Source);
            }
            connector = chosen;
            link = HostLink.For(Settings, address);
        }

        private void EnsureBound()
        {
            if (link == null) Bind(null);
        }

        /// <summary>Starts a run: a fresh cancellation.</summary>
        private void Restart()
        {
            lock (gate)
            {
                if (cancel.IsCancellationRequested) cancel = new CancellationTokenSource();
            }
        }

        private CancellationToken Token
        {
            get
            {
                lock (gate)
                {
                    return cancel.Token;
                }
            }
        }

        private bool Cancelled
        {
            get
            {
                lock (gate)
                {
                    return cancel.IsCancellationRequested;
                }
            }
        }

        private CallOptions Options(bool page)
        {
            return link.Options(connector, page ? link.PageTimeout : link.CallTimeout, Token);
        }

        /// <summary>Runs one call; a failure becomes its ECMA2 exception.</summary>
        private T Call<T>(string call, bool page, Func<CallOptions, T> send)
        {
            EnsureBound();
            try
            {
                return send(Options(page));
            }
            catch (GrpcWebException e)
            {
                throw link.Translate(e, connector, call);
            }
        }

        /// <summary>The connector's handshake as the host recorded it (asked again after HandshakeLifetime).</summary>
        private Pb.HandshakeResponse Handshake()
        {
            EnsureBound();
            string key = link.Address + "\n" + connector;
            lock (HandshakeGate)
            {
                KeyValuePair<DateTime, Pb.HandshakeResponse> cached;
                if (Handshakes.TryGetValue(key, out cached) && DateTime.UtcNow - cached.Key < HandshakeLifetime) return cached.Value;
            }
            Pb.HandshakeRequest request = new Pb.HandshakeRequest();
            request.ProtocolVersions.Add(1);
            request.CallerName = "Ecma2Bridge";
            request.CallerVersion = typeof(Ecma2Bridge).Assembly.GetName().Version.ToString();
            Pb.HandshakeResponse response = Call("Handshake", false, o => link.Connectors.Handshake(request, o));
            lock (HandshakeGate)
            {
                Handshakes[key] = new KeyValuePair<DateTime, Pb.HandshakeResponse>(DateTime.UtcNow, response);
            }
            return response;
        }

        private bool Has(Pb.Ecma2Interface interfaceId)
        {
            return Handshake().Interfaces.Contains(interfaceId);
        }

        /// <summary>Forgets the recorded handshakes (a connector was upgraded; tests).</summary>
        public static void ForgetHandshakes()
        {
            lock (HandshakeGate)
            {
                Handshakes.Clear();
            }
        }
    }
}
