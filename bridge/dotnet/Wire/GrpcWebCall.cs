// One gRPC-Web call on one HttpWebRequest: framing, status, cancellation and deadline.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Text;
using System.Threading;
using Ecma2.Protobuf;

namespace Ecma2.Bridge.Wire
{
    /// <summary>
    /// One call. gRPC-Web frames are a flag byte (0x00 data, 0x80 trailers), a four-byte big-endian
    /// length and the payload. The status comes either in the response headers (a trailers-only
    /// response, whose body is empty) or in the trailer frame at the end of the body; both are read.
    /// </summary>
    internal sealed class GrpcWebCall : IDisposable
    {
        private const string ContentType = "application/grpc-web+proto";
        private const byte TrailerFlag = 0x80;
        private const byte CompressedFlag = 0x01;

        private static readonly HashSet<string> ReservedKeys = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "authorization", "content-type", "content-length", "grpc-timeout", "te", "x-grpc-web", "host",
            "connection", "transfer-encoding", "expect", "accept", "user-agent", "grpc-encoding", "grpc-accept-encoding",
        };

        private readonly string method;
        private readonly HttpWebRequest request;
        private readonly int maxReceiveMessageSize;
        private readonly CancellationToken token;
        private readonly CancellationTokenRegistration registration;
        private readonly Timer deadlineTimer;
        private readonly object gate = new object();
        private StatusCode? abortedWith;
        private HttpWebResponse response;
        private Stream body;
        private bool finished;
        private bool disposed;

        internal GrpcWebCall(string url, string method, string authorization, CallOptions options, DateTime? deadline, int maxReceiveMessageSize)
        {
            this.method = method;
            this.maxReceiveMessageSize = maxReceiveMessageSize;
            token = options.CancellationToken;
            if (token.IsCancellationRequested)
            {
                throw new GrpcWebException(StatusCode.Cancelled, "cancelled before the call started", null, method, null);
            }
            TimeSpan? remaining = null;
            if (deadline.HasValue)
            {
                remaining = deadline.Value.ToUniversalTime() - DateTime.UtcNow;
                if (remaining.Value <= TimeSpan.Zero)
                {
                    throw new GrpcWebException(StatusCode.DeadlineExceeded, "the deadline passed before the call started", null, method, null);
                }
            }

            request = (HttpWebRequest)WebRequest.Create(url);
            request.Method = "POST";
            request.ProtocolVersion = HttpVersion.Version11;
            request.KeepAlive = true;
            request.ContentType = ContentType;
            request.Accept = ContentType;
            request.AllowAutoRedirect = false;
            request.AutomaticDecompression = DecompressionMethods.None;
            request.ServicePoint.Expect100Continue = false;
            // The deadline timer and the cancellation token abort the request; HttpWebRequest's own
            // timeouts (100 s and 300 s by default) would cut long imports short.
            request.Timeout = Timeout.Infinite;
            request.ReadWriteTimeout = Timeout.Infinite;
            request.Headers["x-grpc-web"] = "1";
            if (authorization != null) request.Headers[HttpRequestHeader.Authorization] = authorization;
            if (remaining.HasValue)
            {
                long ms = Math.Max(1, (long)Math.Ceiling(remaining.Value.TotalMilliseconds));
                request.Headers["grpc-timeout"] = ms.ToString(CultureInfo.InvariantCulture) + "m";
            }
            foreach (var pair in options.Metadata)
            {
                if (ReservedKeys.Contains(pair.Key))
                {
                    throw new ArgumentException("CallOptions.Metadata may not set '" + pair.Key + "'; the channel sets it", "options");
                }
                if (pair.Value == null || pair.Value.IndexOfAny(new[] { '\r', '\n' }) >= 0)
                {
                    throw new ArgumentException("CallOptions.Metadata['" + pair.Key + "'] is null or spans lines", "options");
                }
                request.Headers[pair.Key.ToLowerInvariant()] = pair.Value;
            }

            if (token.CanBeCanceled) registration = token.Register(() => Abort(StatusCode.Cancelled));
            if (remaining.HasValue)
            {
                long due = Math.Min((long)Math.Ceiling(remaining.Value.TotalMilliseconds), int.MaxValue - 1);
                deadlineTimer = new Timer(_ => Abort(StatusCode.DeadlineExceeded), null, due, Timeout.Infinite);
            }
        }

        private void Abort(StatusCode code)
        {
            lock (gate)
            {
                if (finished || abortedWith.HasValue) return;
                abortedWith = code;
            }
            request.Abort();
        }

        /// <summary>Sends one message as a fixed-length body.</summary>
        internal void SendOne(IMessage message)
        {
            byte[] frame = Frame(message);
            request.ContentLength = frame.Length;
            try
            {
                using (var stream = request.GetRequestStream())
                {
                    stream.Write(frame, 0, frame.Length);
                }
            }
            catch (Exception e) when (e is WebException || e is IOException || e is ObjectDisposedException)
            {
                throw Translate(e, "sending the request");
            }
        }

        /// <summary>Sends each message as it is enumerated, in one chunked body.</summary>
        internal void SendMany<T>(IEnumerable<T> messages) where T : class, IMessage
        {
            request.SendChunked = true;
            request.AllowWriteStreamBuffering = false;
            Stream stream;
            try
            {
                stream = request.GetRequestStream();
            }
            catch (Exception e) when (e is WebException || e is IOException || e is ObjectDisposedException)
            {
                throw Translate(e, "opening the request stream");
            }
            Exception sendFailure = null;
            try
            {
                foreach (var message in messages)
                {
                    if (message == null) throw new ArgumentException("a null message in the request stream of " + method, "messages");
                    byte[] frame = Frame(message);
                    try
                    {
                        stream.Write(frame, 0, frame.Length);
                    }
                    catch (Exception e) when (e is WebException || e is IOException || e is ObjectDisposedException)
                    {
                        // The server may have answered (and closed) early, such as with an
                        // authentication error: its status explains more than the broken pipe.
                        sendFailure = e;
                        break;
                    }
                }
                if (sendFailure == null) stream.Close();
            }
            catch (Exception e) when (!(e is GrpcWebException) && sendFailure == null && !IsIo(e))
            {
                // The caller's enumeration failed: abandon the call, surface the caller's error.
                Abort(StatusCode.Cancelled);
                throw;
            }
            catch (Exception e) when (IsIo(e))
            {
                sendFailure = e;
            }
            if (sendFailure != null)
            {
                try
                {
                    ReceiveHeaders();
                    while (ReadMessage<SkippedMessage>() != null)
                    {
                    }
                }
                catch (GrpcWebException status)
                {
                    if (status.Code != StatusCode.Unavailable) throw;
                }
                throw Translate(sendFailure, "sending the request stream");
            }
        }

        private static bool IsIo(Exception e)
        {
            return e is WebException || e is IOException || e is ObjectDisposedException;
        }

        private static byte[] Frame(IMessage message)
        {
            int size = message.CalculateSize();
            var frame = new byte[5 + size];
            frame[1] = (byte)(size >> 24);
            frame[2] = (byte)(size >> 16);
            frame[3] = (byte)(size >> 8);
            frame[4] = (byte)size;
            var output = new CodedOutputStream(frame, 5);
            message.WriteTo(output);
            if (output.Position != frame.Length) throw new InvalidOperationException(message.GetType().Name + " changed while it was encoded");
            return frame;
        }

        /// <summary>Waits for the response headers; a trailers-only error throws here.</summary>
        internal void ReceiveHeaders()
        {
            if (response != null) return;
            try
            {
                response = (HttpWebResponse)request.GetResponse();
            }
            catch (WebException e) when (e.Response is HttpWebResponse && !abortedWith.HasValue)
            {
                response = (HttpWebResponse)e.Response;
            }
            catch (Exception e) when (IsIo(e))
            {
                throw Translate(e, "waiting for the response");
            }
            body = response.GetResponseStream();

            string status = response.Headers["grpc-status"];
            if (status != null)
            {
                // Trailers-only: the whole status is in the headers and the body is empty.
                Drain();
                var code = ParseCode(status);
                if (code != StatusCode.OK) throw StatusFrom(code, response.Headers["grpc-message"], response.Headers["grpc-status-details-bin"]);
                finished = true;
                return;
            }
            if (response.StatusCode != HttpStatusCode.OK)
            {
                int http = (int)response.StatusCode;
                Drain();
                throw Fail(FromHttp(http), "HTTP " + http + " " + response.StatusDescription + " from " + method, null);
            }
            string type = response.ContentType ?? "";
            if (!type.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) || type.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase))
            {
                Drain();
                throw Fail(StatusCode.Internal, "the response is '" + type + "', not application/grpc-web+proto (is this ecma2-host's engine endpoint?)", null);
            }
        }

        /// <summary>
        /// The next message, or null at the end of a successful stream. Reading the trailer frame
        /// checks the status (throwing on failure) and drains the body.
        /// </summary>
        internal T ReadMessage<T>() where T : class, IMessage, new()
        {
            while (!finished)
            {
                byte[] header = new byte[5];
                int got = ReadFully(header, 0, 5);
                if (got == 0)
                {
                    throw Fail(StatusCode.Internal, "the response ended without a status (no trailer frame)", null);
                }
                if (got < 5) throw Fail(StatusCode.Internal, "the response ended inside a frame header", null);
                byte flags = header[0];
                long length = ((long)header[1] << 24) | ((long)header[2] << 16) | ((long)header[3] << 8) | header[4];
                if (length > maxReceiveMessageSize)
                {
                    Abort(StatusCode.ResourceExhausted);
                    throw Fail(StatusCode.ResourceExhausted, "a response frame of " + length + " bytes exceeds the limit of " + maxReceiveMessageSize, null);
                }
                byte[] payload = new byte[length];
                if (ReadFully(payload, 0, (int)length) < length) throw Fail(StatusCode.Internal, "the response ended inside a frame", null);
                if ((flags & TrailerFlag) != 0)
                {
                    var trailers = ParseTrailers(payload);
                    Drain();
                    string status;
                    if (!trailers.TryGetValue("grpc-status", out status))
                    {
                        throw Fail(StatusCode.Internal, "the trailer frame has no grpc-status", null);
                    }
                    string message, details;
                    trailers.TryGetValue("grpc-message", out message);
                    trailers.TryGetValue("grpc-status-details-bin", out details);
                    var code = ParseCode(status);
                    if (code != StatusCode.OK) throw StatusFrom(code, message, details);
                    finished = true;
                    return null;
                }
                if ((flags & CompressedFlag) != 0) throw Fail(StatusCode.Internal, "the server sent a compressed frame, which was not asked for", null);
                var result = new T();
                try
                {
                    CodedInputStream.Decode(payload, result);
                }
                catch (InvalidProtocolBufferException e)
                {
                    throw Fail(StatusCode.Internal, "a response message of " + method + " does not decode as " + typeof(T).Name + ": " + e.Message, null);
                }
                return result;
            }
            return null;
        }

        private int ReadFully(byte[] buffer, int offset, int count)
        {
            int total = 0;
            while (total < count)
            {
                int n;
                try
                {
                    n = body.Read(buffer, offset + total, count - total);
                }
                catch (Exception e) when (IsIo(e))
                {
                    throw Translate(e, "reading the response");
                }
                if (n <= 0) break;
                total += n;
            }
            return total;
        }

        /// <summary>Reads the rest of the body so that the connection goes back to the pool.</summary>
        private void Drain()
        {
            if (body == null) return;
            var scratch = new byte[8192];
            try
            {
                while (body.Read(scratch, 0, scratch.Length) > 0)
                {
                }
            }
            catch (Exception e) when (IsIo(e))
            {
                // The status is already known; a connection that broke afterwards is not reused.
            }
        }

        private static Dictionary<string, string> ParseTrailers(byte[] payload)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string text = Encoding.ASCII.GetString(payload);
            foreach (var line in text.Split(new[] { "\r\n" }, StringSplitOptions.RemoveEmptyEntries))
            {
                int colon = line.IndexOf(':');
                if (colon <= 0) continue;
                result[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            return result;
        }

        private StatusCode ParseCode(string text)
        {
            int code;
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out code))
            {
                throw Fail(StatusCode.Internal, "grpc-status is not a number: '" + text + "'", null);
            }
            return code >= 0 && code <= 16 ? (StatusCode)code : StatusCode.Unknown;
        }

        private GrpcWebException StatusFrom(StatusCode code, string message, string details)
        {
            string detail = message == null ? "" : Uri.UnescapeDataString(message);
            Ecma2.Protobuf.Rpc.Status status = null;
            if (!string.IsNullOrEmpty(details))
            {
                try
                {
                    status = Ecma2.Protobuf.Rpc.Status.ParseFrom(FromBase64(details));
                }
                catch (Exception e) when (e is FormatException || e is InvalidProtocolBufferException)
                {
                    detail += " (grpc-status-details-bin did not decode: " + e.Message + ")";
                }
            }
            finished = true;
            return new GrpcWebException(code, detail, status, method, null);
        }

        private static byte[] FromBase64(string text)
        {
            // gRPC sends binary metadata base64 with the padding stripped.
            text = text.Trim();
            int pad = (4 - text.Length % 4) % 4;
            return Convert.FromBase64String(text + new string('=', pad));
        }

        internal GrpcWebException Fail(StatusCode code, string detail, Exception inner)
        {
            finished = true;
            return new GrpcWebException(code, detail, null, method, inner);
        }

        /// <summary>Maps a transport failure to a status: our own abort reason first.</summary>
        private GrpcWebException Translate(Exception e, string during)
        {
            StatusCode? aborted;
            lock (gate) aborted = abortedWith;
            if (aborted == StatusCode.Cancelled) return Fail(StatusCode.Cancelled, "cancelled while " + during, e);
            if (aborted == StatusCode.DeadlineExceeded) return Fail(StatusCode.DeadlineExceeded, "the deadline passed while " + during, e);
            if (aborted.HasValue) return Fail(aborted.Value, "aborted while " + during, e);
            return Fail(StatusCode.Unavailable, "the connection to " + request.RequestUri.GetLeftPart(UriPartial.Authority) + " failed while " + during + ": " + e.Message, e);
        }

        private static StatusCode FromHttp(int http)
        {
            // The gRPC mapping of HTTP statuses for responses without grpc-status.
            switch (http)
            {
                case 400: return StatusCode.Internal;
                case 401: return StatusCode.Unauthenticated;
                case 403: return StatusCode.PermissionDenied;
                case 404: return StatusCode.Unimplemented;
                case 429:
                case 502:
                case 503:
                case 504: return StatusCode.Unavailable;
                default: return StatusCode.Unknown;
            }
        }

        /// <summary>A message whose fields are all skipped: reads a response only for its status.</summary>
        private sealed class SkippedMessage : IMessage
        {
            public void WriteTo(CodedOutputStream output)
            {
            }

            public void MergeFrom(CodedInputStream input)
            {
                while (input.ReadTag() != 0) input.SkipLastField();
            }

            public int CalculateSize()
            {
                return 0;
            }
        }

        public void Dispose()
        {
            if (disposed) return;
            disposed = true;
            bool complete;
            lock (gate)
            {
                complete = finished;
                finished = true;
            }
            if (!complete)
            {
                // Abandoned mid-stream: drop the connection rather than read an unbounded rest.
                request.Abort();
            }
            registration.Dispose();
            if (deadlineTimer != null) deadlineTimer.Dispose();
            if (response != null) response.Close();
        }
    }
}
