// Stand-in for Microsoft.MetadirectoryServicesEx: schema, partitions, hierarchy and capabilities
// (api-reference.md §6, §7, §8), with the constructor defaults read from the shipped IL.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Microsoft.MetadirectoryServices
{
    [Serializable]
    public sealed class Schema
    {
        private readonly ChangeTypeDescription m_changeTypeAttributeDescription;
        private readonly string m_objectTypeAttributeName;
        private readonly SchemaTypeKeyedCollection m_schemaTypes = new SchemaTypeKeyedCollection();

        public Schema() { }

        public Schema(ChangeTypeDescription changeTypeAttributeDescription, string objectTypeAttributeName)
        {
            m_changeTypeAttributeDescription = changeTypeAttributeDescription;
            m_objectTypeAttributeName = objectTypeAttributeName;
        }

        public ChangeTypeDescription ChangeType { get { return m_changeTypeAttributeDescription; } }
        public string ObjectTypeAttributeName { get { return m_objectTypeAttributeName; } }
        public KeyedCollection<string, SchemaType> Types { get { return m_schemaTypes; } }

        public static Schema Create() { return new Schema(); }

        public void SetReadOnly()
        {
            m_schemaTypes.ReadOnly = true;
            foreach (SchemaType type in m_schemaTypes) type.SetReadOnly();
        }

        public bool Validate()
        {
            foreach (SchemaType type in m_schemaTypes)
            {
                if (string.IsNullOrEmpty(type.Name)) return false;
            }
            return true;
        }
    }

    [Serializable]
    public sealed class SchemaType
    {
        private readonly SchemaAttributeKeyedCollection m_attributes = new SchemaAttributeKeyedCollection();
        private readonly string m_name;
        private readonly bool m_lockAnchorDefinition;
        private readonly List<string> m_possibleDNComponentsForProvisioning = new List<string>();

        private SchemaType(string name, bool lockAnchorDefinition)
        {
            m_name = name;
            m_lockAnchorDefinition = lockAnchorDefinition;
        }

        public string Name { get { return m_name; } }
        public bool Locked { get { return m_lockAnchorDefinition; } }
        public KeyedCollection<string, SchemaAttribute> Attributes { get { return m_attributes; } }

        public KeyedCollection<string, SchemaAttribute> AnchorAttributes
        {
            get
            {
                SchemaAttributeKeyedCollection anchors = new SchemaAttributeKeyedCollection();
                foreach (SchemaAttribute a in m_attributes)
                {
                    if (a.IsAnchor) anchors.Add(a);
                }
                anchors.ReadOnly = true;
                return anchors;
            }
        }

        public IList<string> PossibleDNComponentsForProvisioning { get { return m_possibleDNComponentsForProvisioning; } }

        public static SchemaType Create(string typeName, bool lockAnchorDefinition) { return new SchemaType(typeName, lockAnchorDefinition); }

        public void SetReadOnly() { m_attributes.ReadOnly = true; }
    }

    [Serializable]
    public sealed class SchemaAttribute
    {
        private readonly AttributeOperation m_allowedAttributeOperation;
        private readonly string m_attributeName;
        private readonly bool m_isMultiValued;
        private readonly bool m_isAnchor;
        private bool m_hiddenByDefault;
        private readonly AttributeType m_dataType;

        internal SchemaAttribute(string attributeName, bool isMultiValued, bool isAnchor, AttributeType dataType, AttributeOperation allowedAttributeOperation)
        {
            m_attributeName = attributeName;
            m_isMultiValued = isMultiValued;
            m_isAnchor = isAnchor;
            m_dataType = dataType;
            m_allowedAttributeOperation = allowedAttributeOperation;
        }

        public string Name { get { return m_attributeName; } }
        public bool IsMultiValued { get { return m_isMultiValued; } }
        public bool IsAnchor { get { return m_isAnchor; } }
        public AttributeType DataType { get { return m_dataType; } }
        public AttributeOperation AllowedAttributeOperation { get { return m_allowedAttributeOperation; } }
        public bool HiddenByDefault { get { return m_hiddenByDefault; } set { m_hiddenByDefault = value; } }

        public static SchemaAttribute CreateSingleValuedAttribute(string attributeName, AttributeType dataType) { return CreateSingleValuedAttribute(attributeName, dataType, AttributeOperation.ImportExport); }
        public static SchemaAttribute CreateMultiValuedAttribute(string attributeName, AttributeType dataType) { return CreateMultiValuedAttribute(attributeName, dataType, AttributeOperation.ImportExport); }
        public static SchemaAttribute CreateAnchorAttribute(string attributeName, AttributeType dataType) { return CreateAnchorAttribute(attributeName, dataType, AttributeOperation.ImportExport); }
        public static SchemaAttribute CreateSingleValuedAttribute(string attributeName, AttributeType dataType, AttributeOperation allowedAttributeOperation) { return new SchemaAttribute(attributeName, false, false, dataType, allowedAttributeOperation); }
        public static SchemaAttribute CreateMultiValuedAttribute(string attributeName, AttributeType dataType, AttributeOperation allowedAttributeOperation) { return new SchemaAttribute(attributeName, true, false, dataType, allowedAttributeOperation); }
        public static SchemaAttribute CreateAnchorAttribute(string attributeName, AttributeType dataType, AttributeOperation allowedAttributeOperation) { return new SchemaAttribute(attributeName, false, true, dataType, allowedAttributeOperation); }

        public override bool Equals(object obj)
        {
            SchemaAttribute other = obj as SchemaAttribute;
            return other != null && other.m_attributeName == m_attributeName && other.m_isMultiValued == m_isMultiValued
                && other.m_isAnchor == m_isAnchor && other.m_dataType == m_dataType && other.m_allowedAttributeOperation == m_allowedAttributeOperation;
        }

        public override int GetHashCode() { return m_attributeName == null ? 0 : m_attributeName.GetHashCode(); }
    }

    [Serializable]
    public sealed class SchemaTypeKeyedCollection : KeyedCollection<string, SchemaType>
    {
        internal bool ReadOnly;
        public SchemaTypeKeyedCollection() { }
        protected override string GetKeyForItem(SchemaType item) { return item.Name; }
        protected override void InsertItem(int index, SchemaType item) { Guard(); base.InsertItem(index, item); }
        protected override void SetItem(int index, SchemaType item) { Guard(); base.SetItem(index, item); }
        protected override void RemoveItem(int index) { Guard(); base.RemoveItem(index); }
        protected override void ClearItems() { Guard(); base.ClearItems(); }
        private void Guard() { if (ReadOnly) throw new NotSupportedException("The schema is read-only."); }
    }

    [Serializable]
    public sealed class SchemaAttributeKeyedCollection : KeyedCollection<string, SchemaAttribute>
    {
        internal bool ReadOnly;
        public SchemaAttributeKeyedCollection() { }
        protected override string GetKeyForItem(SchemaAttribute item) { return item.Name; }
        protected override void InsertItem(int index, SchemaAttribute item) { Guard(); base.InsertItem(index, item); }
        protected override void SetItem(int index, SchemaAttribute item) { Guard(); base.SetItem(index, item); }
        protected override void RemoveItem(int index) { Guard(); base.RemoveItem(index); }
        protected override void ClearItems() { Guard(); base.ClearItems(); }
        private void Guard() { if (ReadOnly) throw new NotSupportedException("The schema type is read-only."); }
    }

    [Serializable]
    public abstract class ChangeTypeDescription
    {
        protected ChangeTypeDescription() { }
        public abstract string AttributeName { get; }
        public abstract string Add { get; }
        public abstract string Modify { get; }
        public abstract string Delete { get; }
    }

    [Serializable]
    public sealed class Partition
    {
        private readonly Guid _identifier;
        private readonly string _dn;
        private readonly string _name;
        private bool _hiddenByDefault;

        internal Partition(Guid identifier, string dn, string name)
        {
            _identifier = identifier;
            _dn = dn;
            _name = name;
        }

        public Guid Identifier { get { return _identifier; } }
        public string DN { get { return _dn; } }
        public string Name { get { return _name; } }
        public bool HiddenByDefault { get { return _hiddenByDefault; } set { _hiddenByDefault = value; } }

        public static Partition Create(Guid identifier, string dn, string name) { return new Partition(identifier, dn, name); }
        public static Partition Create(Guid identifier, string dn) { return new Partition(identifier, dn, ""); }
    }

    [Serializable]
    public sealed class HierarchyNode
    {
        private readonly string m_dn;
        private readonly string m_displayName;

        internal HierarchyNode(string dn, string displayName)
        {
            m_dn = dn;
            m_displayName = displayName;
        }

        public string DN { get { return m_dn; } }
        public string DisplayName { get { return m_displayName; } }

        public static HierarchyNode Create(string dn, string displayName) { return new HierarchyNode(dn, displayName); }
    }

    [Serializable]
    public sealed class MACapabilities
    {
        private MADistinguishedNameStyle m_DNStyle = MADistinguishedNameStyle.Generic;
        private bool m_ObjectRename = true;
        private bool m_DeltaImport = true;
        private bool m_ConcurrentOperation = true;
        private bool m_DeleteAddAsReplace = true;
        private MAExportType m_ExportType = MAExportType.ObjectReplace;
        private bool m_SupportImport = true;
        private bool m_SupportExport = true;
        private bool m_SupportPartitions = true;
        private bool m_SupportPassword = true;
        private bool m_SupportHierarchy = true;

        public MACapabilities() { }

        public MADistinguishedNameStyle DistinguishedNameStyle
        {
            get { return m_DNStyle; }
            set
            {
                m_DNStyle = value;
                if (value == MADistinguishedNameStyle.None) m_ObjectRename = false;
            }
        }

        public bool ObjectRename { get { return m_ObjectRename; } set { m_ObjectRename = value; } }
        public bool NoReferenceValuesInFirstExport { get; set; }
        public bool DeltaImport { get { return m_DeltaImport; } set { m_DeltaImport = value; } }
        public bool ConcurrentOperation { get { return m_ConcurrentOperation; } set { m_ConcurrentOperation = value; } }
        public bool DeleteAddAsReplace { get { return m_DeleteAddAsReplace; } set { m_DeleteAddAsReplace = value; } }
        public bool ExportPasswordInFirstPass { get; set; }
        public bool FullExport { get; set; }
        public MAObjectConfirmation ObjectConfirmation { get; set; }
        public MAExportType ExportType { get { return m_ExportType; } set { m_ExportType = value; } }
        public MANormalizations Normalizations { get; set; }
        public bool IsDNAsAnchor { get; set; }
        public bool SupportImport { get { return m_SupportImport; } set { m_SupportImport = value; } }
        public bool SupportExport { get { return m_SupportExport; } set { m_SupportExport = value; } }
        public bool SupportPartitions { get { return m_SupportPartitions; } set { m_SupportPartitions = value; } }
        public bool SupportPassword { get { return m_SupportPassword; } set { m_SupportPassword = value; } }
        public bool SupportHierarchy { get { return m_SupportHierarchy; } set { m_SupportHierarchy = value; } }
    }
}
