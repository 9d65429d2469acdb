// The one exception type every failed gRPC-Web call surfaces as.
using System;

namespace Ecma2.Bridge.Wire
{
    /// <summary>
    /// A gRPC-Web call that did not end with status OK: the server's status (from the response
    /// headers of a trailers-only response or from the trailer frame), or a local one (Cancelled,
    /// DeadlineExceeded, Unavailable when the connection failed, Internal for a malformed response).
    /// </summary>
    [Serializable]
    public sealed class GrpcWebException : Exception
    {
        /// <summary>An exception for a call that ended with <paramref name="code"/>.</summary>
        public GrpcWebException(StatusCode code, string detail, Ecma2.Protobuf.Rpc.Status status, string method, Exception inner)
            : base(Describe(code, detail, method), inner)
        {
            Code = code;
            Detail = detail ?? "";
            Status = status;
            Method = method ?? "";
        }

        /// <summary>The gRPC status code.</summary>
        public StatusCode Code { get; private set; }

        /// <summary>The status message (grpc-message, percent-decoded), or the local reason.</summary>
        public string Detail { get; private set; }

        /// <summary>
        /// The decoded grpc-status-details-bin, or null when the server sent none. ecma2-host puts
        /// one ecma2.v1.Fault in its Details when a connector (or the host) raised a fault.
        /// </summary>
        public Ecma2.Protobuf.Rpc.Status Status { get; private set; }

        /// <summary>The method path, such as "/ecma2.v1.ConnectorService/GetSchema".</summary>
        public string Method { get; private set; }

        private static string Describe(StatusCode code, string detail, string method)
        {
            return (method ?? "") + ": " + code + (string.IsNullOrEmpty(detail) ? "" : ": " + detail);
        }
    }
}
