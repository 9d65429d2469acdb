// google.protobuf.Timestamp, hand-written (the generated code maps the well-known type here).
using System;

namespace Ecma2.Protobuf
{
    /// <summary>google.protobuf.Timestamp: seconds and nanoseconds since the Unix epoch, UTC.</summary>
    public sealed class Timestamp : IMessage
    {
        /// <summary>The message's full protobuf name.</summary>
        public const string ProtoName = "google.protobuf.Timestamp";

        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>Whole seconds since 1970-01-01T00:00:00Z (may be negative).</summary>
        public long Seconds { get; set; }

        /// <summary>Nanoseconds within the second, 0 to 999,999,999.</summary>
        public int Nanos { get; set; }

        /// <summary>The instant as a UTC DateTime (precision: 100 ns ticks, truncated).</summary>
        public DateTime ToDateTime()
        {
            if (Nanos < 0 || Nanos > 999999999) throw new InvalidOperationException("Timestamp.Nanos out of range: " + Nanos);
            return Epoch.AddTicks(checked(Seconds * TimeSpan.TicksPerSecond) + Nanos / 100);
        }

        /// <summary>
        /// A Timestamp for <paramref name="value"/>. Local times are converted to UTC; Unspecified
        /// is taken as UTC already (that is how the sync engine stores its times).
        /// </summary>
        public static Timestamp FromDateTime(DateTime value)
        {
            if (value.Kind == DateTimeKind.Local) value = value.ToUniversalTime();
            long ticks = value.Ticks - Epoch.Ticks;
            long seconds = ticks / TimeSpan.TicksPerSecond;
            long rest = ticks % TimeSpan.TicksPerSecond;
            if (rest < 0)
            {
                seconds--;
                rest += TimeSpan.TicksPerSecond;
            }
            return new Timestamp { Seconds = seconds, Nanos = (int)(rest * 100) };
        }

        /// <inheritdoc/>
        public void WriteTo(CodedOutputStream output)
        {
            if (Seconds != 0)
            {
                output.WriteRawTag(8);
                output.WriteInt64(Seconds);
            }
            if (Nanos != 0)
            {
                output.WriteRawTag(16);
                output.WriteInt32(Nanos);
            }
        }

        /// <inheritdoc/>
        public int CalculateSize()
        {
            int size = 0;
            if (Seconds != 0) size += 1 + CodedOutputStream.ComputeInt64Size(Seconds);
            if (Nanos != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Nanos);
            return size;
        }

        /// <inheritdoc/>
        public void MergeFrom(CodedInputStream input)
        {
            uint tag;
            while ((tag = input.ReadTag()) != 0)
            {
                switch (tag)
                {
                    case 8:
                        Seconds = input.ReadInt64();
                        break;
                    case 16:
                        Nanos = input.ReadInt32();
                        break;
                    default:
                        input.SkipLastField();
                        break;
                }
            }
        }

        /// <summary>The message encoded.</summary>
        public byte[] ToByteArray()
        {
            return CodedOutputStream.Encode(this);
        }

        /// <summary>Decodes a Timestamp.</summary>
        public static Timestamp ParseFrom(byte[] data)
        {
            var message = new Timestamp();
            CodedInputStream.Decode(data, message);
            return message;
        }
    }
}
