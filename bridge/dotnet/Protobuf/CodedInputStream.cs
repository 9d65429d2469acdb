// Decoding from a byte array, with nested length limits.
using System;
using System.Text;

namespace Ecma2.Protobuf
{
    /// <summary>
    /// Reads protobuf wire format from a byte array. Embedded messages are read within a limit
    /// (their length prefix); <see cref="ReadTag"/> returns 0 at the current limit, which ends the
    /// generated MergeFrom loops. Malformed input throws <see cref="InvalidProtocolBufferException"/>.
    /// </summary>
    public sealed class CodedInputStream
    {
        /// <summary>How deeply messages may nest before the input is refused.</summary>
        public const int RecursionLimit = 100;

        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, true);
        private readonly byte[] buffer;
        private int position;
        private int limit;
        private int depth;
        private uint lastTag;

        /// <summary>A stream over all of <paramref name="buffer"/>.</summary>
        public CodedInputStream(byte[] buffer) : this(buffer, 0, buffer == null ? 0 : buffer.Length)
        {
        }

        /// <summary>A stream over <paramref name="count"/> bytes of <paramref name="buffer"/> from <paramref name="offset"/>.</summary>
        public CodedInputStream(byte[] buffer, int offset, int count)
        {
            if (buffer == null) throw new ArgumentNullException("buffer");
            if (offset < 0 || count < 0 || offset + count > buffer.Length) throw new ArgumentOutOfRangeException("count");
            this.buffer = buffer;
            position = offset;
            limit = offset + count;
        }

        /// <summary>Decodes all of <paramref name="data"/> into <paramref name="message"/>.</summary>
        public static void Decode(byte[] data, IMessage message)
        {
            if (data == null) throw new ArgumentNullException("data");
            var input = new CodedInputStream(data);
            message.MergeFrom(input);
            if (input.position != input.limit)
            {
                throw new InvalidProtocolBufferException(message.GetType().Name + ": stopped before the end of the input");
            }
        }

        /// <summary>True when the current limit (or the end) has been reached.</summary>
        public bool IsAtEnd { get { return position >= limit; } }

        /// <summary>The next tag, or 0 at the current limit.</summary>
        public uint ReadTag()
        {
            if (position >= limit)
            {
                lastTag = 0;
                return 0;
            }
            lastTag = ReadRawVarint32();
            if ((lastTag >> 3) == 0)
            {
                throw new InvalidProtocolBufferException("invalid tag " + lastTag + " (field number 0)");
            }
            return lastTag;
        }

        /// <summary>Skips the field whose tag was read last (an unknown field).</summary>
        public void SkipLastField()
        {
            switch ((WireType)(lastTag & 7))
            {
                case WireType.Varint:
                    ReadRawVarint64();
                    break;
                case WireType.Fixed64:
                    Skip(8);
                    break;
                case WireType.LengthDelimited:
                    Skip(ReadLength());
                    break;
                case WireType.Fixed32:
                    Skip(4);
                    break;
                case WireType.StartGroup:
                    SkipGroup(lastTag >> 3);
                    break;
                default:
                    throw new InvalidProtocolBufferException("invalid wire type " + (lastTag & 7) + " for field " + (lastTag >> 3));
            }
        }

        private void SkipGroup(uint fieldNumber)
        {
            if (++depth > RecursionLimit) throw new InvalidProtocolBufferException("groups nested too deeply");
            while (true)
            {
                uint tag = ReadTag();
                if (tag == 0) throw new InvalidProtocolBufferException("truncated group " + fieldNumber);
                if ((WireType)(tag & 7) == WireType.EndGroup)
                {
                    if ((tag >> 3) != fieldNumber) throw new InvalidProtocolBufferException("mismatched end of group " + fieldNumber);
                    break;
                }
                SkipLastField();
            }
            depth--;
        }

        /// <summary>int32 (ten-byte negatives are truncated to 32 bits, as protobuf does).</summary>
        public int ReadInt32()
        {
            return (int)ReadRawVarint64();
        }

        /// <summary>int64.</summary>
        public long ReadInt64()
        {
            return (long)ReadRawVarint64();
        }

        /// <summary>uint32.</summary>
        public uint ReadUInt32()
        {
            return (uint)ReadRawVarint64();
        }

        /// <summary>uint64.</summary>
        public ulong ReadUInt64()
        {
            return ReadRawVarint64();
        }

        /// <summary>An enum's number; unknown numbers are kept as they are.</summary>
        public int ReadEnum()
        {
            return (int)ReadRawVarint64();
        }

        /// <summary>bool: any non-zero varint is true.</summary>
        public bool ReadBool()
        {
            return ReadRawVarint64() != 0;
        }

        /// <summary>A length-prefixed UTF-8 string; invalid UTF-8 is refused.</summary>
        public string ReadString()
        {
            int length = ReadLength();
            Need(length);
            string value;
            try
            {
                value = Utf8.GetString(buffer, position, length);
            }
            catch (ArgumentException e)
            {
                throw new InvalidProtocolBufferException("a string field is not valid UTF-8: " + e.Message);
            }
            position += length;
            return value;
        }

        /// <summary>Length-prefixed bytes, copied.</summary>
        public byte[] ReadBytes()
        {
            int length = ReadLength();
            Need(length);
            if (length == 0) return ByteArrays.Empty;
            var value = new byte[length];
            Buffer.BlockCopy(buffer, position, value, 0, length);
            position += length;
            return value;
        }

        /// <summary>A length-prefixed embedded message, merged into <paramref name="message"/>.</summary>
        public void ReadMessage(IMessage message)
        {
            int length = ReadLength();
            Need(length);
            if (++depth > RecursionLimit) throw new InvalidProtocolBufferException("messages nested more than " + RecursionLimit + " deep");
            int outer = limit;
            limit = position + length;
            message.MergeFrom(this);
            if (position != limit) throw new InvalidProtocolBufferException(message.GetType().Name + ": an embedded message ended early");
            limit = outer;
            depth--;
        }

        /// <summary>Starts a packed run: reads its length and returns where it ends.</summary>
        public int BeginPacked()
        {
            int length = ReadLength();
            Need(length);
            return position + length;
        }

        /// <summary>True when a packed run that ends at <paramref name="end"/> is finished.</summary>
        public bool EndOfPacked(int end)
        {
            return position >= end;
        }

        /// <summary>Checks a packed run ended exactly where its length said.</summary>
        public void FinishPacked(int end)
        {
            if (position != end) throw new InvalidProtocolBufferException("a packed field overran its length");
        }

        /// <summary>A varint read as 32 bits (longer varints are truncated, as protobuf does).</summary>
        public uint ReadRawVarint32()
        {
            return (uint)ReadRawVarint64();
        }

        /// <summary>A varint of up to ten bytes.</summary>
        public ulong ReadRawVarint64()
        {
            ulong result = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (position >= limit) throw new InvalidProtocolBufferException("truncated varint");
                byte b = buffer[position++];
                result |= (ulong)(b & 0x7f) << shift;
                if ((b & 0x80) == 0) return result;
            }
            throw new InvalidProtocolBufferException("a varint longer than ten bytes");
        }

        private int ReadLength()
        {
            ulong length = ReadRawVarint64();
            if (length > int.MaxValue) throw new InvalidProtocolBufferException("negative or oversized length " + length);
            return (int)length;
        }

        private void Need(int count)
        {
            if (count > limit - position)
            {
                throw new InvalidProtocolBufferException("truncated input: a field claims " + count + " bytes but " + (limit - position) + " remain");
            }
        }

        private void Skip(int count)
        {
            Need(count);
            position += count;
        }
    }
}
