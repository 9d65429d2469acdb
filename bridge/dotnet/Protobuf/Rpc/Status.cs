// google.rpc.Status, hand-written: the grpc-status-details-bin payload.
using System.Collections.Generic;

namespace Ecma2.Protobuf.Rpc
{
    /// <summary>google.rpc.Status: a gRPC status code, its message and typed details.</summary>
    public sealed class Status : IMessage
    {
        /// <summary>The message's full protobuf name.</summary>
        public const string ProtoName = "google.rpc.Status";

        private string message = "";
        private readonly List<Any> details = new List<Any>();

        /// <summary>The gRPC status code.</summary>
        public int Code { get; set; }

        /// <summary>The developer-facing message.</summary>
        public string Message
        {
            get { return message; }
            set { message = Preconditions.CheckNotNull(value, "Message"); }
        }

        /// <summary>Typed details; ecma2-host puts one ecma2.v1.Fault here.</summary>
        public List<Any> Details { get { return details; } }

        /// <inheritdoc/>
        public void WriteTo(CodedOutputStream output)
        {
            if (Code != 0)
            {
                output.WriteRawTag(8);
                output.WriteInt32(Code);
            }
            if (message.Length != 0)
            {
                output.WriteRawTag(18);
                output.WriteString(message);
            }
            foreach (var item in details)
            {
                output.WriteRawTag(26);
                output.WriteMessage(item);
            }
        }

        /// <inheritdoc/>
        public int CalculateSize()
        {
            int size = 0;
            if (Code != 0) size += 1 + CodedOutputStream.ComputeInt32Size(Code);
            if (message.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(message);
            foreach (var item in details) size += 1 + CodedOutputStream.ComputeMessageSize(item);
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
                        Code = input.ReadInt32();
                        break;
                    case 18:
                        message = input.ReadString();
                        break;
                    case 26:
                    {
                        var any = new Any();
                        input.ReadMessage(any);
                        details.Add(any);
                        break;
                    }
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

        /// <summary>Decodes a Status.</summary>
        public static Status ParseFrom(byte[] data)
        {
            var status = new Status();
            CodedInputStream.Decode(data, status);
            return status;
        }
    }
}
