// The engine's live objects the password interface receives (CSEntry, Attrib, values, the MA),
// implemented here over plain data, as the sync engine implements them over its connector space.
using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using Microsoft.MetadirectoryServices;
using Microsoft.MetadirectoryServices.DetachedObjectModel;

namespace Ecma2.Bridge.Driver
{
    /// <summary>A connector space object, for SetPassword and ChangePassword.</summary>
    public sealed class EngineCSEntry : CSEntry
    {
        private readonly Dictionary<string, EngineAttrib> attributes = new Dictionary<string, EngineAttrib>();
        private readonly List<string> order = new List<string>();
        private readonly EngineMA ma;
        private ReferenceValue dn;
        private string rdn;
        private ValueCollection objectClass;
        private readonly string objectType;

        public EngineCSEntry(string dn, string objectType, string maName)
        {
            this.dn = new EngineReference(dn);
            string[] parts = DetachedUtils.SplitDN(dn);
            rdn = parts.Length > 0 ? parts[0] : null;
            this.objectType = objectType;
            objectClass = new EngineValues(new Value[] { new EngineValue(AttributeType.String, objectType) });
            ma = new EngineMA(maName);
        }

        /// <summary>Adds an attribute with its values (typed by <paramref name="type"/>).</summary>
        public EngineCSEntry With(string name, AttributeType type, bool multi, params object[] values)
        {
            attributes[name] = new EngineAttrib(name, type, multi, values.Select(v => (Value)new EngineValue(type, v)).ToList(), ma);
            if (!order.Contains(name)) order.Add(name);
            return this;
        }

        public override ReferenceValue DN { get { return dn; } set { dn = value; } }
        public override string RDN { get { return rdn; } set { rdn = value; } }
        public override ValueCollection ObjectClass { get { return objectClass; } set { objectClass = value; } }
        public override string ObjectType { get { return objectType; } }

        public override Attrib this[string attributeName]
        {
            get
            {
                EngineAttrib a;
                if (!attributes.TryGetValue(attributeName, out a)) throw new NoSuchAttributeException(attributeName);
                return a;
            }
        }

        public override ConnectionState ConnectionState { get { return ConnectionState.Connected; } }
        public override ManagementAgent MA { get { return ma; } }
        public override RuleType ConnectionRule { get { return RuleType.Projection; } }
        public override DateTime ConnectionChangeTime { get { return new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc); } }
        public override AttributeNameEnumerator GetEnumerator() { return new EngineNames(order); }
        public override void Deprovision() { throw new InvalidOperationException("not in a rules extension"); }
        public override void CommitNewConnector() { throw new InvalidOperationException("not in a rules extension"); }
        public override string ToString() { return dn.ToString(); }
    }

    internal sealed class EngineNames : AttributeNameEnumerator
    {
        private readonly List<string> names;
        private int index = -1;
        internal EngineNames(List<string> names) { this.names = names; }
        public override string Current { get { return names[index]; } }
        public override bool MoveNext() { return ++index < names.Count; }
        public override void Reset() { index = -1; }
    }

    internal sealed class EngineMA : ManagementAgent
    {
        private readonly string name;
        internal EngineMA(string name) { this.name = name; }
        public override string Name { get { return name; } }
        public override ReferenceValue CreateDN(string dn) { return new EngineReference(dn); }
        public override ReferenceValue CreateDN(Value dn) { return new EngineReference(dn.ToString()); }
        public override ReferenceValue EscapeDNComponent(params string[] parts) { return new EngineReference(string.Join(",", parts)); }
        public override ReferenceValue EscapeDNComponent(params Value[] parts) { return new EngineReference(string.Join(",", parts.Select(p => p.ToString()))); }
        public override string[] UnescapeDNComponent(string component) { return new[] { component }; }
        public override string NormalizeString(string value) { return value; }
    }

    internal sealed class EngineAttrib : Attrib
    {
        private readonly string name;
        private readonly AttributeType type;
        private readonly bool multi;
        private ValueCollection values;
        private readonly ManagementAgent ma;

        internal EngineAttrib(string name, AttributeType type, bool multi, List<Value> values, ManagementAgent ma)
        {
            this.name = name;
            this.type = type;
            this.multi = multi;
            this.values = new EngineValues(values);
            this.ma = ma;
        }

        public override string Name { get { return name; } }
        public override AttributeType DataType { get { return type; } }
        public override bool IsPresent { get { return values.Count > 0; } }
        public override bool IsMultivalued { get { return multi; } }
        public override ValueCollection Values { get { return values; } set { values = value; } }
        public override string Value { get { return values.Count == 0 ? null : values[0].ToString(); } set { throw new NotSupportedException(); } }
        public override string StringValue { get { return Value; } set { throw new NotSupportedException(); } }
        public override ReferenceValue ReferenceValue { get { return values.Count == 0 ? null : new EngineReference(values[0].ToString()); } set { throw new NotSupportedException(); } }
        public override byte[] BinaryValue { get { return values[0].ToBinary(); } set { throw new NotSupportedException(); } }
        public override long IntegerValue { get { return values[0].ToInteger(); } set { throw new NotSupportedException(); } }
        public override bool BooleanValue { get { return values[0].ToBoolean(); } set { throw new NotSupportedException(); } }
        public override DateTime LastContributionTime { get { return new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc); } }
        public override ManagementAgent LastContributingMA { get { return ma; } }
        public override void Delete() { values = new EngineValues(new List<Value>()); }
    }

    internal class EngineValue : Value
    {
        private readonly AttributeType type;
        private readonly object value;
        internal EngineValue(AttributeType type, object value) { this.type = type; this.value = value; }
        public override AttributeType DataType { get { return type; } }
        public override long ToInteger() { return Convert.ToInt64(value); }
        public override byte[] ToBinary() { return (byte[])value; }
        public override bool ToBoolean() { return (bool)value; }
        public override string ToString() { return Convert.ToString(value); }
        public override bool Equals(object obj) { EngineValue o = obj as EngineValue; return o != null && Equals(o.value, value); }
        public override int GetHashCode() { return value == null ? 0 : value.GetHashCode(); }
    }

    internal sealed class EngineReference : ReferenceValue
    {
        private readonly string dn;
        internal EngineReference(string dn) { this.dn = dn; }
        private string[] Parts { get { return DetachedUtils.SplitDN(dn); } }
        public override AttributeType DataType { get { return AttributeType.Reference; } }
        public override long ToInteger() { throw new InvalidOperationException(); }
        public override byte[] ToBinary() { throw new InvalidOperationException(); }
        public override bool ToBoolean() { throw new InvalidOperationException(); }
        public override string ToString() { return dn; }
        public override bool Equals(object obj) { return obj is EngineReference && ((EngineReference)obj).dn == dn; }
        public override int GetHashCode() { return dn.GetHashCode(); }
        public override string this[int componentIndex] { get { return Parts[componentIndex]; } }
        public override int Depth { get { return Parts.Length; } }
        public override ReferenceValue Concat(ReferenceValue DN) { return new EngineReference(dn + "," + DN); }
        public override ReferenceValue Concat(string DN) { return new EngineReference(dn + "," + DN); }
        public override ReferenceValue Parent() { return Parent(1); }
        public override ReferenceValue Parent(int skipLevels) { return new EngineReference(string.Join(",", Parts.Skip(skipLevels))); }
        public override ReferenceValue Subcomponents(int startingComponent, int endingComponent) { return new EngineReference(string.Join(",", Parts.Skip(startingComponent).Take(endingComponent - startingComponent))); }
    }

    internal sealed class EngineValueEnumerator : ValueCollectionEnumerator
    {
        private readonly List<Value> values;
        private int index = -1;
        internal EngineValueEnumerator(List<Value> values) { this.values = values; }
        public override Value Current { get { return values[index]; } }
        public override bool MoveNext() { return ++index < values.Count; }
        public override void Reset() { index = -1; }
    }

    internal sealed class EngineValues : ValueCollection
    {
        private readonly List<Value> values;
        internal EngineValues(IEnumerable<Value> values) { this.values = values.ToList(); }
        public override int Count { get { return values.Count; } }
        public override Value this[int index] { get { return values[index]; } }
        public override void Add(string val) { values.Add(new EngineValue(AttributeType.String, val)); }
        public override void Add(long val) { values.Add(new EngineValue(AttributeType.Integer, val)); }
        public override void Add(byte[] val) { values.Add(new EngineValue(AttributeType.Binary, val)); }
        public override void Add(Value val) { values.Add(val); }
        public override void Add(ValueCollection val) { foreach (Value v in val) values.Add(v); }
        public override void Remove(string val) { values.RemoveAll(v => v.ToString() == val); }
        public override void Remove(long val) { values.RemoveAll(v => v.DataType == AttributeType.Integer && v.ToInteger() == val); }
        public override void Remove(byte[] val) { values.RemoveAll(v => v.DataType == AttributeType.Binary && v.ToBinary().SequenceEqual(val)); }
        public override void Remove(Value val) { values.Remove(val); }
        public override bool Contains(string val) { return values.Any(v => v.ToString() == val); }
        public override bool Contains(long val) { return values.Any(v => v.DataType == AttributeType.Integer && v.ToInteger() == val); }
        public override bool Contains(byte[] val) { return values.Any(v => v.DataType == AttributeType.Binary && v.ToBinary().SequenceEqual(val)); }
        public override bool Contains(Value val) { return values.Contains(val); }
        public override void Set(bool val) { values.Clear(); values.Add(new EngineValue(AttributeType.Boolean, val)); }
        public override void Clear() { values.Clear(); }
        public override string[] ToStringArray() { return values.Select(v => v.ToString()).ToArray(); }
        public override long[] ToIntegerArray() { return values.Select(v => v.ToInteger()).ToArray(); }
        public override ValueCollectionEnumerator GetEnumerator() { return new EngineValueEnumerator(values); }
    }
}
