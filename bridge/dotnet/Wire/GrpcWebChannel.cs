// The gRPC-Web (binary) client over HTTP/1.1 that the bridge uses to reach ecma2-host.
using System;
using System.Collections.Generic;
using System.Net;
using Ecma2.Protobuf;

namespace Ecma2.Bridge.Wire
{
    /// <summary>
    /// A gRPC-Web channel to ecma2-host's engine endpoint, on HttpWebRequest over HTTP/1.1
    /// (the .NET Framework has no HTTP/2 client usable for gRPC). Connections are kept alive and
    /// pooled (up to <see cref="GrpcWebChannelOptions.MaxConnections"/>), no request waits for
    /// "100 Continue", and every response body is read to its end so that its connection can be
    /// reused. Thread-safe: many calls may run at once.
    /// </summary>
    public sealed class GrpcWebChannel : IDisposable
    {
        private readonly string baseAddress;
        private readonly string authorization;
        private readonly TimeSpan? defaultTimeout;
        private readonly int maxReceiveMessageSize;
        private readonly ServicePoint servicePoint;
        private volatile bool disposed;

        /// <summary>A channel with the given options (checked here, before any call).</summary>
        public GrpcWebChannel(GrpcWebChannelOptions options)
        {
            if (options == null) throw new ArgumentNullException("options");
            var uri = options.BaseAddress;
            if (uri == null || !uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException("GrpcWebChannelOptions.BaseAddress must be an absolute http:// or https:// address, got " +
                    (uri == null ? "none" : "'" + uri.OriginalString + "'"), "options");
            }
            if (options.MaxConnections < 1) throw new ArgumentException("GrpcWebChannelOptions.MaxConnections must be at least 1, got " + options.MaxConnections, "options");
            if (options.MaxReceiveMessageSize < 1) throw new ArgumentException("GrpcWebChannelOptions.MaxReceiveMessageSize must be positive", "options");
            if (options.DefaultTimeout.HasValue && options.DefaultTimeout.Value <= TimeSpan.Zero)
            {
                throw new ArgumentException("GrpcWebChannelOptions.DefaultTimeout must be positive", "options");
            }
            if (options.BearerToken != null && (options.BearerToken.Length == 0 || options.BearerToken.IndexOfAny(new[] { '\r', '\n' }) >= 0))
            {
                // Never echo the token itself.
                throw new ArgumentException("GrpcWebChannelOptions.BearerToken is empty or spans lines", "options");
            }
            baseAddress = uri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            authorization = options.BearerToken == null ? null : "Bearer " + options.BearerToken;
            defaultTimeout = options.DefaultTimeout;
            maxReceiveMessageSize = options.MaxReceiveMessageSize;
            servicePoint = ServicePointManager.FindServicePoint(uri);
            servicePoint.ConnectionLimit = Math.Max(servicePoint.ConnectionLimit, options.MaxConnections);
            servicePoint.Expect100Continue = false;
            servicePoint.UseNagleAlgorithm = false;
        }

        /// <summary>The engine endpoint calls go to.</summary>
        public string BaseAddress { get { return baseAddress; } }

        /// <summary>One request, one response.</summary>
        public TResp Unary<TReq, TResp>(string path, TReq request, CallOptions options)
            where TReq : class, IMessage
            where TResp : class, IMessage, new()
        {
            if (request == null) throw new ArgumentNullException("request");
            using (var call = Start(path, options))
            {
                call.SendOne(request);
                call.ReceiveHeaders();
                TResp response = call.ReadMessage<TResp>();
                if (response == null)
                {
                    throw call.Fail(StatusCode.Internal, "the response had no message", null);
                }
                if (call.ReadMessage<TResp>() != null)
                {
                    throw call.Fail(StatusCode.Internal, "a unary call got more than one message", null);
                }
                return response;
            }
        }

        /// <summary>
        /// One request, a stream of responses. Lazy: the request is sent when enumeration starts,
        /// and frames are read as the enumeration asks for them. A stream enumerated to its end is
        /// drained and its status checked (a failure throws from MoveNext); a stream disposed early
        /// is aborted rather than drained, as what remains of it could be unbounded.
        /// </summary>
        public IEnumerable<TResp> ServerStreaming<TReq, TResp>(string path, TReq request, CallOptions options)
            where TReq : class, IMessage
            where TResp : class, IMessage, new()
        {
            if (request == null) throw new ArgumentNullException("request");
            if (path == null) throw new ArgumentNullException("path");
            return ServerStreamingIterator<TReq, TResp>(path, request, options);
        }

        private IEnumerable<TResp> ServerStreamingIterator<TReq, TResp>(string path, TReq request, CallOptions options)
            where TReq : class, IMessage
            where TResp : class, IMessage, new()
        {
            var call = Start(path, options);
            try
            {
                call.SendOne(request);
                call.ReceiveHeaders();
                while (true)
                {
                    TResp message = call.ReadMessage<TResp>();
                    if (message == null) yield break;
                    yield return message;
                }
            }
            finally
            {
                call.Dispose();
            }
        }

        /// <summary>
        /// A stream of requests (sent as frames of one chunked HTTP/1.1 body, each written as it is
        /// enumerated), one response. An exception thrown by the enumeration aborts the call and
        /// propagates unchanged.
        /// </summary>
        public TResp ClientStreaming<TReq, TResp>(string path, IEnumerable<TReq> requests, CallOptions options)
            where TReq : class, IMessage
            where TResp : class, IMessage, new()
        {
            if (requests == null) throw new ArgumentNullException("requests");
            using (var call = Start(path, options))
            {
                call.SendMany(requests);
                call.ReceiveHeaders();
                TResp response = call.ReadMessage<TResp>();
                if (response == null)
                {
                    throw call.Fail(StatusCode.Internal, "the response had no message", null);
                }
                if (call.ReadMessage<TResp>() != null)
                {
                    throw call.Fail(StatusCode.Internal, "a client-streaming call got more than one message", null);
                }
                return response;
            }
        }

        private GrpcWebCall Start(string path, CallOptions options)
        {
            if (disposed) throw new ObjectDisposedException("GrpcWebChannel");
            if (path == null || !path.StartsWith("/", StringComparison.Ordinal)) throw new ArgumentException("the method path must start with '/', got " + path, "path");
            options = options ?? new CallOptions();
            DateTime? deadline = options.Deadline;
            if (!deadline.HasValue && defaultTimeout.HasValue) deadline = DateTime.UtcNow + defaultTimeout.Value;
            return new GrpcWebCall(baseAddress + path, path, authorization, options, deadline, maxReceiveMessageSize);
        }

        /// <summary>Stops new calls. Calls in flight finish; pooled connections close when idle.</summary>
        public void Dispose()
        {
            disposed = true;
        }
    }
}
