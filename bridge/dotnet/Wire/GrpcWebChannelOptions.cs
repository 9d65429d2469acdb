// How a channel reaches the host.
using System;

namespace Ecma2.Bridge.Wire
{
    /// <summary>Where and how a <see cref="GrpcWebChannel"/> reaches ecma2-host's engine endpoint.</summary>
    public sealed class GrpcWebChannelOptions
    {
        /// <summary>Creates options with the defaults written on each property.</summary>
        public GrpcWebChannelOptions()
        {
            MaxConnections = 16;
            MaxReceiveMessageSize = 16 * 1024 * 1024;
        }

        /// <summary>The engine endpoint, such as http://127.0.0.1:7070/ (http or https).</summary>
        public Uri BaseAddress { get; set; }

        /// <summary>The host's engine token, sent as "authorization: Bearer ...". Never logged.</summary>
        public string BearerToken { get; set; }

        /// <summary>How long a call may take when its CallOptions set no deadline; null for no limit.</summary>
        public TimeSpan? DefaultTimeout { get; set; }

        /// <summary>Concurrent HTTP/1.1 connections to the host (default 16).</summary>
        public int MaxConnections { get; set; }

        /// <summary>The largest response message accepted, in bytes (default 16 MiB).</summary>
        public int MaxReceiveMessageSize { get; set; }
    }
}
