// Encoding into a byte array sized in advance by CalculateSize.
using System;
using System.Text;

namespace Ecma2.Protobuf
{
    /// <summary>
    /// Writes protobuf wire format into a fixed byte array. Generated code sizes the message first
    /// (<see cref="IMessage.CalculateSize"/>), so the array is allocated once and never grows.
    /// </summary>
    public sealed class CodedOutputStream
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);
        private readonly byte[] buffer;
        private int position;

        /// <summary>A stream writing into <paramref name="buffer"/> from its start.</summary>
        public CodedOutputStream(byte[] buffer) : this(buffer, 0)
        {
        }

        /// <summary>A stream writing into <paramref name="buffer"/> from <paramref name="offset"/> (room for a frame header).</summary>
        public CodedOutputStream(byte[] buffer, int offset)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || offset > buffer.Length) throw new ArgumentOutOfRangeException("offset");
            this.buffer = buffer;
            position = offset;
        }

        /// <summary>How many bytes have been written.</summary>
        public int Position { get { return position; } }

        /// <summary>Encodes a whole message into a new array.</summary>
        public static byte[] Encode(IMessage message)
        {
            if (message == null) throw new ArgumentNullException("message");
            var data = new byte[message.CalculateSize()];
            var output = new CodedOutputStream(data);
            message.WriteTo(output);
            if (output.position != data.Length)
            {
                throw new InvalidOperationException(
                    message.GetType().Name + ": wrote " + output.position + " bytes but sized " + data.Length +
                    " (was the message changed while it was encoded?)");
            }
            return data;
        }

        /// <summary>Writes a precomputed tag (field number and wire type) as a varint.</summary>
        public void WriteRawTag(uint tag)
        {
            WriteRawVarint32(tag);
        }

        /// <summary>Writes a tag from its parts.</summary>
        public void WriteTag(int fieldNumber, WireType type)
        {
            WriteRawVarint32(((uint)fieldNumber << 3) | (uint)type);
        }

        /// <summary>Writes a length prefix.</summary>
        public void WriteLength(int length)
        {
            WriteRawVarint32((uint)length);
        }

        /// <summary>int32: negative values take ten bytes, as protobuf sign-extends them.</summary>
        public void WriteInt32(int value)
        {
            if (value >= 0) WriteRawVarint32((uint)value);
            else WriteRawVarint64((ulong)(long)value);
        }

        /// <summary>int64.</summary>
        public void WriteInt64(long value)
        {
            WriteRawVarint64((ulong)value);
        }

        /// <summary>uint32.</summary>
        public void WriteUInt32(uint value)
        {
            WriteRawVarint32(value);
        }

        /// <summary>uint64.</summary>
        public void WriteUInt64(ulong value)
        {
            WriteRawVarint64(value);
        }

        /// <summary>An enum's number (an int32 on the wire).</summary>
        public void WriteEnum(int value)
        {
            WriteInt32(value);
        }

        /// <summary>bool: one byte, 0 or 1.</summary>
        public void WriteBool(bool value)
        {
            WriteRawByte(value ? (byte)1 : (byte)0);
        }

        /// <summary>A length-prefixed UTF-8 string.</summary>
        public void WriteString(string value)
        {
            int length = Utf8.GetByteCount(value);
            WriteLength(length);
            Reserve(length);
            Utf8.GetBytes(value, 0, value.Length, buffer, position);
            position += length;
        }

        /// <summary>Length-prefixed bytes.</summary>
        public void WriteBytes(byte[] value)
        {
            WriteLength(value.Length);
            Reserve(value.Length);
            Buffer.BlockCopy(value, 0, buffer, position, value.Length);
            position += value.Length;
        }

        /// <summary>A length-prefixed embedded message.</summary>
        public void WriteMessage(IMessage value)
        {
            WriteLength(value.CalculateSize());
            value.WriteTo(this);
        }

        /// <summary>A varint of up to 32 bits.</summary>
        public void WriteRawVarint32(uint value)
        {
            while (value > 0x7f)
            {
                WriteRawByte((byte)((value & 0x7f) | 0x80));
                value >>= 7;
            }
            WriteRawByte((byte)value);
        }

        /// <summary>A varint of up to 64 bits.</summary>
        public void WriteRawVarint64(ulong value)
        {
            while (value > 0x7f)
            {
                WriteRawByte((byte)((value & 0x7f) | 0x80));
                value >>= 7;
            }
            WriteRawByte((byte)value);
        }

        private void WriteRawByte(byte value)
        {
            Reserve(1);
            buffer[position++] = value;
        }

        private void Reserve(int count)
        {
            if (buffer.Length - position < count)
            {
                throw new InvalidOperationException("the message outgrew its computed size (was it changed while it was encoded?)");
            }
        }

        /// <summary>Size of a varint of up to 32 bits.</summary>
        public static int ComputeRawVarint32Size(uint value)
        {
            if ((value & (0xffffffff << 7)) == 0) return 1;
            if ((value & (0xffffffff << 14)) == 0) return 2;
            if ((value & (0xffffffff << 21)) == 0) return 3;
            if ((value & (0xffffffff << 28)) == 0) return 4;
            return 5;
        }

        /// <summary>Size of a varint of up to 64 bits.</summary>
        public static int ComputeRawVarint64Size(ulong value)
        {
            int size = 1;
            while (value > 0x7f)
            {
                size++;
                value >>= 7;
            }
            return size;
        }

        /// <summary>Size of a length prefix.</summary>
        public static int ComputeLengthSize(int length)
        {
            return ComputeRawVarint32Size((uint)length);
        }

        /// <summary>Size of an int32.</summary>
        public static int ComputeInt32Size(int value)
        {
            return value >= 0 ? ComputeRawVarint32Size((uint)value) : 10;
        }

        /// <summary>Size of an int64.</summary>
        public static int ComputeInt64Size(long value)
        {
            return ComputeRawVarint64Size((ulong)value);
        }

        /// <summary>Size of a uint32.</summary>
        public static int ComputeUInt32Size(uint value)
        {
            return ComputeRawVarint32Size(value);
        }

        /// <summary>Size of a uint64.</summary>
        public static int ComputeUInt64Size(ulong value)
        {
            return ComputeRawVarint64Size(value);
        }

        /// <summary>Size of an enum's number.</summary>
        public static int ComputeEnumSize(int value)
        {
            return ComputeInt32Size(value);
        }

        /// <summary>Size of a bool.</summary>
        public static int ComputeBoolSize(bool value)
        {
            return 1;
        }

        /// <summary>Size of a length-prefixed UTF-8 string.</summary>
        public static int ComputeStringSize(string value)
        {
            int length = Utf8.GetByteCount(value);
            return ComputeLengthSize(length) + length;
        }

        /// <summary>Size of length-prefixed bytes.</summary>
        public static int ComputeBytesSize(byte[] value)
        {
            return ComputeLengthSize(value.Length) + value.Length;
        }

        /// <summary>Size of a length-prefixed embedded message.</summary>
        public static int ComputeMessageSize(IMessage value)
        {
            int size = value.CalculateSize();
            return ComputeLengthSize(size) + size;
        }
    }
}
