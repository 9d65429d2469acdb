// Stand-in for Microsoft.MetadirectoryServicesEx: the object-change model and its detached
// implementation (api-reference.md §4), including the validation table of §4.6.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Microsoft.MetadirectoryServices.DetachedObjectModel;

namespace Microsoft.MetadirectoryServices
{
    public abstract class CSEntryChange
    {
        protected CSEntryChange() { }

        public abstract ObjectModificationType ObjectModificationType { get; set; }
        public abstract IList<string> ChangedAttributeNames { get; }
        public abstract Guid Identifier { get; }
        public abstract string DN { get; set; }
        public abstract string RDN { get; }
        public abstract string ObjectType { get; set; }
        public abstract MAImportError ErrorCodeImport { get; set; }
        public abstract KeyedCollection<string, AttributeChange> AttributeChanges { get; }
        public abstract KeyedCollection<string, AnchorAttribute> AnchorAttributes { get; }
        public abstract string ErrorName { get; set; }
        public abstract string ErrorDetail { get; set; }

        public static CSEntryChange Create()
        {
            return new CSEntryChangeDetached(Guid.NewGuid(), ObjectModificationType.Unconfigured, MAImportError.Success, null);
        }
    }

    public abstract class AttributeChange
    {
        protected AttributeChange() { }

        public abstract string Name { get; }
        public abstract AttributeType DataType { get; }
        public abstract bool IsMultiValued { get; }
        public abstract AttributeModificationType ModificationType { get; }
        public abstract IList<ValueChange> ValueChanges { get; }

        public static AttributeChange CreateAttributeAdd(string attributeName, object value)
        {
            return Build(attributeName, AttributeModificationType.Add, ValueChange.CreateValueAdd(value));
        }

        public static AttributeChange CreateAttributeAdd(string attributeName, IList<object> values)
        {
            return Build(attributeName, AttributeModificationType.Add, AddsOf(values));
        }

        public static AttributeChange CreateAttributeDelete(string attributeName)
        {
            return new AttributeChangeDetached(attributeName, AttributeModificationType.Delete, new List<ValueChange>());
        }

        public static AttributeChange CreateAttributeReplace(string attributeName, object value)
        {
            return Build(attributeName, AttributeModificationType.Replace, ValueChange.CreateValueAdd(value));
        }

        public static AttributeChange CreateAttributeReplace(string attributeName, IList<object> values)
        {
            return Build(attributeName, AttributeModificationType.Replace, AddsOf(values));
        }

        public static AttributeChange CreateAttributeUpdate(string attributeName, IList<ValueChange> valueChanges)
        {
            if (valueChanges == null) throw new ArgumentNullException("valueChanges");
            return new AttributeChangeDetached(attributeName, AttributeModificationType.Update, new List<ValueChange>(valueChanges));
        }

        // The shipped assembly builds a Replace here, not an Update (api-reference.md §4.2).
        public static AttributeChange CreateAttributeUpdate(string attributeName, object value)
        {
            return Build(attributeName, AttributeModificationType.Replace, ValueChange.CreateValueAdd(value));
        }

        public static AttributeChange CreateNewDN(string newDN)
        {
            return Build(DetachedUtils.DNAttributeName, AttributeModificationType.Unconfigured, ValueChange.CreateValueAdd(newDN));
        }

        private static AttributeChange Build(string name, AttributeModificationType type, params ValueChange[] changes)
        {
            foreach (ValueChange c in changes)
            {
                if (c.Value == null) throw new InvalidOperationException("The attribute change for " + name + " has a null value.");
            }
            return new AttributeChangeDetached(name, type, new List<ValueChange>(changes));
        }

        private static ValueChange[] AddsOf(IList<object> values)
        {
            if (values == null) throw new ArgumentNullException("values");
            ValueChange[] changes = new ValueChange[values.Count];
            for (int i = 0; i < values.Count; i++) changes[i] = ValueChange.CreateValueAdd(values[i]);
            return changes;
        }
    }

    public class ValueChange
    {
        private readonly object value;
        private readonly ValueModificationType modificationType;

        public ValueChange(object value, ValueModificationType valueModificationType)
        {
            this.value = value;
            modificationType = valueModificationType;
        }

        public object Value { get { return value; } }
        public ValueModificationType ModificationType { get { return modificationType; } }

        public static ValueChange CreateValueAdd(object value) { return new ValueChange(value, ValueModificationType.Add); }
        public static ValueChange CreateValueDelete(object value) { return new ValueChange(value, ValueModificationType.Delete); }
    }

    public static class ValueChangeFactory
    {
        public static ValueChange CreateValueChange(object value, ValueModificationType modificationType)
        {
            return new ValueChange(value, modificationType);
        }
    }

    public abstract class AnchorAttribute
    {
        protected AnchorAttribute() { }
        public abstract string Name { get; }
        public abstract AttributeType DataType { get; }
        public abstract object Value { get; }

        public static AnchorAttribute Create(string attributeName, object value)
        {
            return new AnchorAttributeDetached(attributeName, AttributeType.Undefined, value);
        }
    }

    [Serializable]
    public abstract class CSEntryChangeResult
    {
        protected CSEntryChangeResult() { }
        public abstract Guid Identifier { get; }
        public abstract KeyedCollection<string, AttributeChange> AnchorAttributes { get; }
        public abstract MAExportError ErrorCode { get; }
        public abstract string ErrorName { get; }
        public abstract string ErrorDetail { get; }

        public static CSEntryChangeResult Create(Guid identifier, IList<AttributeChange> anchorAttributeChanges, MAExportError errorCode)
        {
            return new CSEntryChangeResultDetached(identifier, anchorAttributeChanges, errorCode, null, null);
        }

        public static CSEntryChangeResult Create(Guid identifier, IList<AttributeChange> attributeChanges, MAExportError errorCode, string errorName, string errorDetail)
        {
            return new CSEntryChangeResultDetached(identifier, attributeChanges, errorCode, errorName, errorDetail);
        }
    }
}

namespace Microsoft.MetadirectoryServices.DetachedObjectModel
{
    public static class DetachedUtils
    {
        public const string DNAttributeName = "DN";

        public static string[] SplitDN(string dn)
        {
            if (string.IsNullOrEmpty(dn)) return new string[0];
            List<string> parts = new List<string>();
            int start = 0;
            for (int i = 0; i < dn.Length; i++)
            {
                if (dn[i] == '\\') { i++; continue; }
                if (dn[i] == ',')
                {
                    parts.Add(dn.Substring(start, i - start));
                    start = i + 1;
                }
            }
            parts.Add(dn.Substring(start));
            return parts.ToArray();
        }

        public static void ValidateObjectModificationType(ObjectModificationType objectModificationType)
        {
            if (objectModificationType == ObjectModificationType.Unconfigured || objectModificationType == ObjectModificationType.None)
            {
                throw new InvalidOperationException("The object modification type " + objectModificationType + " takes no attribute changes.");
            }
        }

        public static void ValidateAttributeModificationType(ObjectModificationType objectModificationType, AttributeModificationType attributeModificationType)
        {
            ValidateObjectModificationType(objectModificationType);
            bool allowed;
            switch (objectModificationType)
            {
                case ObjectModificationType.Add:
                case ObjectModificationType.Replace:
                    allowed = attributeModificationType == AttributeModificationType.Add;
                    break;
                case ObjectModificationType.Update:
                    allowed = attributeModificationType != AttributeModificationType.Unconfigured;
                    break;
                default:
                    allowed = false;
                    break;
            }
            if (!allowed)
            {
                throw new ArgumentException("An attribute change of type " + attributeModificationType + " is not allowed on an object change of type " + objectModificationType + ".");
            }
        }

        public static void ValidateAttributeChange(CSEntryChange csEntryChange, AttributeChange attributeChange)
        {
            if (string.Equals(attributeChange.Name, DNAttributeName, StringComparison.OrdinalIgnoreCase))
            {
                if (attributeChange.ValueChanges.Count == 0 || attributeChange.ValueChanges[0].Value == null)
                {
                    throw new InvalidDNException("DN attribute must have a value.");
                }
                return;
            }
            ValidateAttributeModificationType(csEntryChange.ObjectModificationType, attributeChange.ModificationType);
        }
    }

    [Serializable]
    public class AnchorAttributeDetached : AnchorAttribute
    {
        private readonly string name;
        private readonly AttributeType dataType;
        private readonly object value;

        public AnchorAttributeDetached(string attributeName, AttributeType dataType, object value)
        {
            name = attributeName;
            this.dataType = dataType;
            this.value = value;
        }

        public override string Name { get { return name; } }
        public override AttributeType DataType { get { return dataType; } }
        public override object Value { get { return value; } }
    }

    [Serializable]
    public class AnchorAttributeKeyedCollectionDetached : KeyedCollection<string, AnchorAttribute>
    {
        public AnchorAttributeKeyedCollectionDetached() { }
        protected override string GetKeyForItem(AnchorAttribute item) { return item.Name; }
    }

    [Serializable]
    public class AttributeChangeDetached : AttributeChange
    {
        private readonly string name;
        private readonly AttributeModificationType modificationType;
        private readonly IList<ValueChange> valueChanges;
        private readonly AttributeType dataType;
        private readonly bool isMultiValued;
        // Kept as the shipped class keeps it; nothing public reads it.
#pragma warning disable 414
        private readonly bool isAnchor;
#pragma warning restore 414

        public AttributeChangeDetached(string attributeName, AttributeModificationType attributeModificationType, IList<ValueChange> valueChanges)
            : this(attributeName, attributeModificationType, valueChanges, AttributeType.Undefined, true, false)
        {
        }

        public AttributeChangeDetached(string attributeName, AttributeModificationType attributeModificationType, IList<ValueChange> valueChanges, AttributeType attributeType, bool isMultiValued, bool isAnchor)
        {
            if (attributeName == null) throw new ArgumentNullException("attributeName");
            name = attributeName;
            modificationType = attributeModificationType;
            this.valueChanges = valueChanges ?? new List<ValueChange>();
            dataType = attributeType;
            this.isMultiValued = isMultiValued;
            this.isAnchor = isAnchor;
        }

        public AttributeChangeDetached(SchemaAttribute attributeSchema, AttributeModificationType attributeModificationType, IList<ValueChange> valueChanges)
            : this(attributeSchema.Name, attributeModificationType, valueChanges, attributeSchema.DataType, attributeSchema.IsMultiValued, attributeSchema.IsAnchor)
        {
        }

        public override string Name { get { return name; } }
        public override AttributeType DataType { get { return dataType; } }
        public override bool IsMultiValued { get { return isMultiValued; } }
        public override AttributeModificationType ModificationType { get { return modificationType; } }
        public override IList<ValueChange> ValueChanges { get { return valueChanges; } }
    }

    [Serializable]
    public class AttributeChangeKeyedCollectionDetached : KeyedCollection<string, AttributeChange>
    {
        private readonly CSEntryChange owner;

        internal AttributeChangeKeyedCollectionDetached(CSEntryChange owner) { this.owner = owner; }

        protected override string GetKeyForItem(AttributeChange item) { return item.Name; }

        protected override void InsertItem(int index, AttributeChange item)
        {
            if (owner != null) DetachedUtils.ValidateAttributeChange(owner, item);
            base.InsertItem(index, item);
        }

        protected override void SetItem(int index, AttributeChange item)
        {
            if (owner != null) DetachedUtils.ValidateAttributeChange(owner, item);
            base.SetItem(index, item);
        }
    }

    [Serializable]
    public class CSEntryChangeDetached : CSEntryChange
    {
        private readonly Guid identifier;
        private ObjectModificationType modificationType;
        private MAImportError errorCodeImport;
        private string dn;
        private string objectType;
        private string errorName;
        private string errorDetail;
        private readonly AttributeChangeKeyedCollectionDetached attributeChanges;
        private readonly AnchorAttributeKeyedCollectionDetached anchorAttributes = new AnchorAttributeKeyedCollectionDetached();

        public CSEntryChangeDetached(Guid identifier, ObjectModificationType modificationType, MAImportError eCodeImport, IList<string> changedAttributeNames)
        {
            this.identifier = identifier;
            this.modificationType = modificationType;
            errorCodeImport = eCodeImport;
            attributeChanges = new AttributeChangeKeyedCollectionDetached(this);
        }

        public override ObjectModificationType ObjectModificationType { get { return modificationType; } set { modificationType = value; } }

        public override IList<string> ChangedAttributeNames
        {
            get
            {
                List<string> names = new List<string>();
                foreach (AttributeChange change in attributeChanges) names.Add(change.Name);
                return names.AsReadOnly();
            }
        }

        public override Guid Identifier { get { return identifier; } }
        public override string DN { get { return dn; } set { dn = value; } }

        public override string RDN
        {
            get
            {
                string[] parts = DetachedUtils.SplitDN(dn);
                return parts.Length == 0 || parts[0].Length == 0 ? null : parts[0];
            }
        }

        public override string ObjectType { get { return objectType; } set { objectType = value; } }
        public override MAImportError ErrorCodeImport { get { return errorCodeImport; } set { errorCodeImport = value; } }
        public override KeyedCollection<string, AttributeChange> AttributeChanges { get { return attributeChanges; } }
        public override KeyedCollection<string, AnchorAttribute> AnchorAttributes { get { return anchorAttributes; } }
        public override string ErrorName { get { return errorName; } set { errorName = value; } }
        public override string ErrorDetail { get { return errorDetail; } set { errorDetail = value; } }
    }

    [Serializable]
    public class CSEntryChangeResultDetached : CSEntryChangeResult
    {
        private readonly Guid identifier;
        private readonly MAExportError errorCode;
        private readonly string errorName;
        private readonly string errorDetail;
        private readonly AttributeChangeKeyedCollectionDetached updatedAnchorAttributes = new AttributeChangeKeyedCollectionDetached(null);

        public CSEntryChangeResultDetached(Guid identifier, IList<AttributeChange> updatedAnchorAttributes, MAExportError errorCode, string errorName, string errorDetail)
        {
            this.identifier = identifier;
            this.errorCode = errorCode;
            this.errorName = errorName;
            this.errorDetail = errorDetail;
            if (updatedAnchorAttributes != null)
            {
                foreach (AttributeChange change in updatedAnchorAttributes) this.updatedAnchorAttributes.Add(change);
            }
        }

        public override Guid Identifier { get { return identifier; } }
        public override KeyedCollection<string, AttributeChange> AnchorAttributes { get { return updatedAnchorAttributes; } }
        public override MAExportError ErrorCode { get { return errorCode; } }
        public override string ErrorName { get { return errorName; } }
        public override string ErrorDetail { get { return errorDetail; } }
    }

    [Serializable]
    public class CSEntryChangeResultKeyedCollectionDetached : KeyedCollection<Guid, CSEntryChangeResult>
    {
        public CSEntryChangeResultKeyedCollectionDetached() { }
        protected override Guid GetKeyForItem(CSEntryChangeResult item) { return item.Identifier; }
    }
}
