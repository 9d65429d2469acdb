// Small argument checks and constants shared by the generated code.
using System;

namespace Ecma2.Protobuf
{
    /// <summary>Argument checks used by generated setters.</summary>
    public static class Preconditions
    {
        /// <summary>Returns <paramref name="value"/>, or throws naming the property when it is null.</summary>
        public static T CheckNotNull<T>(T value, string name) where T : class
        {
            if (value == null)
            {
                throw new ArgumentNullException(name, name + " may not be null (use an empty value instead)");
            }
            return value;
        }
    }

    /// <summary>Shared byte arrays.</summary>
    public static class ByteArrays
    {
        /// <summary>The empty array, the default of every bytes field. Never write into it.</summary>
        public static readonly byte[] Empty = new byte[0];
    }

    /// <summary>The wire types this runtime reads and writes.</summary>
    public enum WireType
    {
        /// <summary>A base-128 varint.</summary>
        Varint = 0,
        /// <summary>Eight little-endian bytes (skipped only; no field of the contract uses it).</summary>
        Fixed64 = 1,
        /// <summary>A varint length followed by that many bytes.</summary>
        LengthDelimited = 2,
        /// <summary>Deprecated group start (skipped only).</summary>
        StartGroup = 3,
        /// <summary>Deprecated group end.</summary>
        EndGroup = 4,
        /// <summary>Four little-endian bytes (skipped only).</summary>
        Fixed32 = 5,
    }

    /// <summary>Thrown when bytes do not decode as the expected message.</summary>
    [Serializable]
    public sealed class InvalidProtocolBufferException : Exception
    {
        /// <summary>An exception with the given message.</summary>
        public InvalidProtocolBufferException(string message) : base(message)
        {
        }
    }
}
