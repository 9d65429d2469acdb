// Stand-in for Microsoft.MetadirectoryServicesEx: the engine's live object model that the
// password interface receives (CSEntry and its parts, api-reference.md §9.2) and the static
// helpers of §13 that ECMA2 connectors use. The engine implements the abstract classes; the
// driver and tests do the same.
using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using Microsoft.MetadirectoryServices.DetachedObjectModel;

namespace Microsoft.MetadirectoryServices
{
    public abstract class CSEntry : IEnumerable
    {
        protected CSEntry() { }
        public abstract ReferenceValue DN { get; set; }
        public abstract string RDN { get; set; }
        public abstract ValueCollection ObjectClass { get; set; }
        public abstract string ObjectType { get; }
        public abstract Attrib this[string attributeName] { get; }
        public abstract ConnectionState ConnectionState { get; }
        public abstract ManagementAgent MA { get; }
        public abstract RuleType ConnectionRule { get; }
        public abstract DateTime ConnectionChangeTime { get; }
        public abstract AttributeNameEnumerator GetEnumerator();
        public abstract void Deprovision();
        public abstract void CommitNewConnector();
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }

    public abstract class Attrib
    {
        protected Attrib() { }
        public abstract string Name { get; }
        public abstract AttributeType DataType { get; }
        public abstract bool IsPresent { get; }
        public abstract bool IsMultivalued { get; }
        public abstract ValueCollection Values { get; set; }
        public abstract string Value { get; set; }
        public abstract string StringValue { get; set; }
        public abstract ReferenceValue ReferenceValue { get; set; }
        public abstract byte[] BinaryValue { get; set; }
        public abstract long IntegerValue { get; set; }
        public abstract bool BooleanValue { get; set; }
        public abstract DateTime LastContributionTime { get; }
        public abstract ManagementAgent LastContributingMA { get; }
        public abstract void Delete();
    }

    public abstract class Value
    {
        protected Value() { }
        public abstract AttributeType DataType { get; }
        public abstract long ToInteger();
        public abstract byte[] ToBinary();
        public abstract bool ToBoolean();
        public abstract override string ToString();
        public abstract override bool Equals(object obj);
        public abstract override int GetHashCode();
    }

    public abstract class ReferenceValue : Value
    {
        protected ReferenceValue() { }
        public abstract string this[int componentIndex] { get; }
        public abstract int Depth { get; }
        public abstract ReferenceValue Concat(ReferenceValue DN);
        public abstract ReferenceValue Concat(string DN);
        public abstract ReferenceValue Parent();
        public abstract ReferenceValue Parent(int skipLevels);
        public abstract ReferenceValue Subcomponents(int startingComponent, int endingComponent);
        public abstract override string ToString();
    }

    public abstract class ValueCollection : IEnumerable
    {
        protected ValueCollection() { }
        public abstract int Count { get; }
        public abstract Value this[int index] { get; }
        public abstract void Add(string val);
        public abstract void Add(long val);
        public abstract void Add(byte[] val);
        public abstract void Add(Value val);
        public abstract void Add(ValueCollection val);
        public abstract void Remove(string val);
        public abstract void Remove(long val);
        public abstract void Remove(byte[] val);
        public abstract void Remove(Value val);
        public abstract bool Contains(string val);
        public abstract bool Contains(long val);
        public abstract bool Contains(byte[] val);
        public abstract bool Contains(Value val);
        public abstract void Set(bool val);
        public abstract void Clear();
        public abstract string[] ToStringArray();
        public abstract long[] ToIntegerArray();

        public byte[][] ToByteArrays()
        {
            byte[][] arrays = new byte[Count][];
            for (int i = 0; i < arrays.Length; i++) arrays[i] = this[i].ToBinary();
            return arrays;
        }

        public abstract ValueCollectionEnumerator GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
    }

    public abstract class ValueCollectionEnumerator : IEnumerator
    {
        protected ValueCollectionEnumerator() { }
        public abstract Value Current { get; }
        object IEnumerator.Current { get { return Current; } }
        public abstract bool MoveNext();
        public abstract void Reset();
    }

    [Serializable]
    public abstract class AttributeNameEnumerator : IEnumerator
    {
        protected AttributeNameEnumerator() { }
        public abstract string Current { get; }
        object IEnumerator.Current { get { return Current; } }
        public abstract bool MoveNext();
        public abstract void Reset();
    }

    public abstract class ManagementAgent
    {
        protected ManagementAgent() { }
        public abstract string Name { get; }
        public abstract ReferenceValue CreateDN(string dn);
        public abstract ReferenceValue CreateDN(Value dn);
        public abstract ReferenceValue EscapeDNComponent(params string[] parts);
        public abstract ReferenceValue EscapeDNComponent(params Value[] parts);
        public abstract string[] UnescapeDNComponent(string component);
        public abstract string NormalizeString(string value);
    }

    public static class MAUtils
    {
        // The engine points this at the MA's folder; outside the engine it is the working directory.
        public static string MAFolder { get { return Directory.GetCurrentDirectory(); } }
    }

    public static class Utils
    {
        public static CSEntryChange CreateCSEntryChange() { return CSEntryChange.Create(); }

        public static CSEntryChangeResult CreateCSEntryChangeResult(Guid identifier, IList<AttributeChange> anchorAttributeChanges, MAExportError errorCode)
        {
            return CSEntryChangeResult.Create(identifier, anchorAttributeChanges, errorCode);
        }

        public static CSEntryChangeResult CreateCSEntryChangeResult(Guid identifier, IList<AttributeChange> attributeChanges, MAExportError errorCode, string errorName, string errorDetail)
        {
            return CSEntryChangeResult.Create(identifier, attributeChanges, errorCode, errorName, errorDetail);
        }

        public static IList<CSEntryChangeResult> CreateCSEntryChangeResultCollection() { return new List<CSEntryChangeResult>(); }

        public static AnchorAttribute CreateAnchorAttribute(string attributeName, object value) { return AnchorAttribute.Create(attributeName, value); }

        public static AttributeChange CreateAttributeChange(string attributeChange, AttributeModificationType modificationType)
        {
            return new AttributeChangeDetached(attributeChange, modificationType, new List<ValueChange>());
        }

        public static bool IsTypeCompatible(object attributeValue, AttributeType attributeType)
        {
            object value = attributeValue;
            switch (attributeType)
            {
                case AttributeType.String:
                case AttributeType.Reference:
                    return value is string;
                case AttributeType.Integer:
                    return value is short || value is int || value is long;
                case AttributeType.Binary:
                    return value is byte[];
                case AttributeType.Boolean:
                    return value is bool;
                default:
                    return false;
            }
        }

        public static string GetAttributeTypeName(AttributeType attributeType) { return attributeType.ToString(); }
    }

    // A DN as the exceptions of the object-model tree return it (they keep the text).
    internal sealed class StringReferenceValue : ReferenceValue
    {
        private readonly string dn;
        internal StringReferenceValue(string dn) { this.dn = dn; }
        private string[] Parts { get { return DetachedUtils.SplitDN(dn); } }
        public override AttributeType DataType { get { return AttributeType.Reference; } }
        public override long ToInteger() { throw new InvalidOperationException("A reference value is not an integer."); }
        public override byte[] ToBinary() { throw new InvalidOperationException("A reference value is not binary."); }
        public override bool ToBoolean() { throw new InvalidOperationException("A reference value is not a boolean."); }
        public override string ToString() { return dn; }
        public override string this[int componentIndex] { get { return Parts[componentIndex]; } }
        public override bool Equals(object obj) { return obj is StringReferenceValue && ((StringReferenceValue)obj).dn == dn; }
        public override int GetHashCode() { return dn == null ? 0 : dn.GetHashCode(); }
        public override int Depth { get { return Parts.Length; } }
        public override ReferenceValue Concat(ReferenceValue DN) { return Concat(DN.ToString()); }
        public override ReferenceValue Concat(string DN) { return new StringReferenceValue(dn + "," + DN); }
        public override ReferenceValue Parent() { return Parent(1); }
        public override ReferenceValue Parent(int skipLevels) { return Subcomponents(skipLevels, Depth); }

        public override ReferenceValue Subcomponents(int startingComponent, int endingComponent)
        {
            string[] parts = Parts;
            return new StringReferenceValue(string.Join(",", parts, startingComponent, endingComponent - startingComponent));
        }
    }
}
