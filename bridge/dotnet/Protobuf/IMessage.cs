// A protobuf message as the generated code and the gRPC-Web client see it.
namespace Ecma2.Protobuf
{
    /// <summary>
    /// A protobuf message: it writes its fields, reads them back, and knows its encoded size.
    /// Generated classes (namespace Ecma2.V1) and the well-known types of this runtime implement it.
    /// </summary>
    public interface IMessage
    {
        /// <summary>Writes the message's fields (without a length prefix).</summary>
        void WriteTo(CodedOutputStream output);

        /// <summary>Reads fields until the end of the input, merging them into this message.</summary>
        void MergeFrom(CodedInputStream input);

        /// <summary>The encoded size in bytes (without a length prefix).</summary>
        int CalculateSize();
    }
}
