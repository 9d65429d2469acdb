// Per-call options: metadata, cancellation, deadline.
using System;
using System.Collections.Generic;
using System.Threading;

namespace Ecma2.Bridge.Wire
{
    /// <summary>What one call carries besides its request: metadata, a cancellation token and a deadline.</summary>
    public sealed class CallOptions
    {
        /// <summary>The metadata key naming the connector a ConnectorService call is for.</summary>
        public const string ConnectorKey = "ecma2-connector";

        private readonly Dictionary<string, string> metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>
        /// Request metadata sent as HTTP headers (ASCII values; keys ending in "-bin" take
        /// base64). Keys the channel sets itself (authorization, content-type, grpc-timeout,
        /// te, x-grpc-web) are refused when the call starts.
        /// </summary>
        public IDictionary<string, string> Metadata { get { return metadata; } }

        /// <summary>Cancelling it aborts the call's HTTP request; the call fails with Cancelled.</summary>
        public CancellationToken CancellationToken { get; set; }

        /// <summary>When the call must have completed (UTC), or null for the channel's default.</summary>
        public DateTime? Deadline { get; set; }

        /// <summary>Options naming a connector (the `ecma2-connector` metadata).</summary>
        public static CallOptions ForConnector(string connector)
        {
            if (string.IsNullOrEmpty(connector)) throw new ArgumentException("a connector name is required", "connector");
            var options = new CallOptions();
            options.metadata[ConnectorKey] = connector;
            return options;
        }

        /// <summary>A copy with another cancellation token.</summary>
        public CallOptions WithCancellationToken(CancellationToken token)
        {
            var copy = Copy();
            copy.CancellationToken = token;
            return copy;
        }

        /// <summary>A copy with another deadline.</summary>
        public CallOptions WithDeadline(DateTime? deadline)
        {
            var copy = Copy();
            copy.Deadline = deadline;
            return copy;
        }

        private CallOptions Copy()
        {
            var copy = new CallOptions { CancellationToken = CancellationToken, Deadline = Deadline };
            foreach (var pair in metadata) copy.metadata[pair.Key] = pair.Value;
            return copy;
        }
    }
}
