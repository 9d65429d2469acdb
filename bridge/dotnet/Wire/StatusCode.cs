// gRPC status codes as the bridge sees them.
namespace Ecma2.Bridge.Wire
{
    /// <summary>The gRPC status codes (the numbers are the protocol's).</summary>
    public enum StatusCode
    {
        /// <summary>Success.</summary>
        OK = 0,
        /// <summary>The call was cancelled, usually by the caller.</summary>
        Cancelled = 1,
        /// <summary>Unknown error.</summary>
        Unknown = 2,
        /// <summary>The client sent something invalid.</summary>
        InvalidArgument = 3,
        /// <summary>The deadline passed before the call completed.</summary>
        DeadlineExceeded = 4,
        /// <summary>Something requested was not found.</summary>
        NotFound = 5,
        /// <summary>Something to be created already exists.</summary>
        AlreadyExists = 6,
        /// <summary>The caller may not do this.</summary>
        PermissionDenied = 7,
        /// <summary>A resource (such as a size limit) ran out.</summary>
        ResourceExhausted = 8,
        /// <summary>The system is not in a state where the call can run.</summary>
        FailedPrecondition = 9,
        /// <summary>The call was aborted (such as by a concurrency conflict).</summary>
        Aborted = 10,
        /// <summary>Out of the valid range.</summary>
        OutOfRange = 11,
        /// <summary>Not implemented by the server.</summary>
        Unimplemented = 12,
        /// <summary>An internal error (also: a malformed response).</summary>
        Internal = 13,
        /// <summary>The server cannot be reached, or the connection broke.</summary>
        Unavailable = 14,
        /// <summary>Unrecoverable data loss.</summary>
        DataLoss = 15,
        /// <summary>Missing or wrong credentials (such as the host's token).</summary>
        Unauthenticated = 16,
    }
}
