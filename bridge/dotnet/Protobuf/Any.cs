// google.protobuf.Any, hand-written: how a Fault travels inside google.rpc.Status details.
using System;

namespace Ecma2.Protobuf
{
    /// <summary>google.protobuf.Any: a message of any type with the URL naming that type.</summary>
    public sealed class Any : IMessage
    {
        /// <summary>The message's full protobuf name.</summary>
        public const string ProtoName = "google.protobuf.Any";

        /// <summary>The prefix gRPC servers put before a type's full name.</summary>
        public const string DefaultPrefix = "type.googleapis.com/";

        private string typeUrl = "";
        private byte[] value = ByteArrays.Empty;

        /// <summary>The type URL, such as "type.googleapis.com/ecma2.v1.Fault".</summary>
        public string TypeUrl
        {
            get { return typeUrl; }
            set { typeUrl = Preconditions.CheckNotNull(value, "TypeUrl"); }
        }

        /// <summary>The packed message's encoding.</summary>
        public byte[] Value
        {
            get { return value; }
            set { this.value = Preconditions.CheckNotNull(value, "Value"); }
        }

        /// <summary>The full name after the last '/' of the type URL.</summary>
        public string TypeName
        {
            get
            {
                int slash = typeUrl.LastIndexOf('/');
                return slash < 0 ? typeUrl : typeUrl.Substring(slash + 1);
            }
        }

        /// <summary>True when the packed message is of the type with this full name.</summary>
        public bool Is(string protoName)
        {
            return TypeName == protoName;
        }

        /// <summary>Packs <paramref name="message"/> whose full name is <paramref name="protoName"/>.</summary>
        public static Any Pack(IMessage message, string protoName)
        {
            if (message == null) throw new ArgumentNullException("message");
            return new Any { TypeUrl = DefaultPrefix + protoName, Value = CodedOutputStream.Encode(message) };
        }

        /// <summary>Decodes the packed message as <typeparamref name="T"/> (check <see cref="Is"/> first).</summary>
        public T Unpack<T>() where T : IMessage, new()
        {
            var message = new T();
            CodedInputStream.Decode(value, message);
            return message;
        }

        /// <inheritdoc/>
        public void WriteTo(CodedOutputStream output)
        {
            if (typeUrl.Length != 0)
            {
                output.WriteRawTag(10);
                output.WriteString(typeUrl);
            }
            if (value.Length != 0)
            {
                output.WriteRawTag(18);
                output.WriteBytes(value);
            }
        }

        /// <inheritdoc/>
        public int CalculateSize()
        {
            int size = 0;
            if (typeUrl.Length != 0) size += 1 + CodedOutputStream.ComputeStringSize(typeUrl);
            if (value.Length != 0) size += 1 + CodedOutputStream.ComputeBytesSize(value);
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
                    case 10:
                        typeUrl = input.ReadString();
                        break;
                    case 18:
                        value = input.ReadBytes();
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

        /// <summary>Decodes an Any.</summary>
        public static Any ParseFrom(byte[] data)
        {
            var message = new Any();
            CodedInputStream.Decode(data, message);
            return message;
        }
    }
}
