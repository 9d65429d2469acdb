// Stand-in for Microsoft.MetadirectoryServicesEx: the twelve ECMA2 interfaces, members in the
// declaration order recorded in api-reference.md §2.
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Security;

namespace Microsoft.MetadirectoryServices
{
    public interface IMAExtensible2CallImport
    {
        OpenImportConnectionResults OpenImportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenImportConnectionRunStep importRunStep);
        GetImportEntriesResults GetImportEntries(GetImportEntriesRunStep importRunStep);
        CloseImportConnectionResults CloseImportConnection(CloseImportConnectionRunStep importRunStep);
        int ImportDefaultPageSize { get; }
        int ImportMaxPageSize { get; }
    }

    public interface IMAExtensible2CallExport
    {
        void OpenExportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenExportConnectionRunStep exportRunStep);
        PutExportEntriesResults PutExportEntries(IList<CSEntryChange> csentries);
        void CloseExportConnection(CloseExportConnectionRunStep exportRunStep);
        int ExportDefaultPageSize { get; }
        int ExportMaxPageSize { get; }
    }

    public interface IMAExtensible2FileImport
    {
        WriteImportFileResults WriteImportFile(KeyedCollection<string, ConfigParameter> configParameters, Schema types, WriteImportFileRunStep importRunStep);
    }

    public interface IMAExtensible2FileExport
    {
        void ReadExportFile(KeyedCollection<string, ConfigParameter> configParameters, Schema types, ReadExportFileRunStep exportRunStep);
    }

    public interface IMAExtensible2GetSchema
    {
        Schema GetSchema(KeyedCollection<string, ConfigParameter> configParameters);
    }

    public interface IMAExtensible2GetPartitions
    {
        IList<Partition> GetPartitions(KeyedCollection<string, ConfigParameter> configParameters);
    }

    public interface IMAExtensible2GetHierarchy
    {
        IList<HierarchyNode> GetHierarchy(KeyedCollection<string, ConfigParameter> configParameters, HierarchyNode parent);
    }

    public interface IMAExtensible2GetCapabilities
    {
        MACapabilities Capabilities { get; }
    }

    public interface IMAExtensible2GetCapabilitiesEx
    {
        MACapabilities GetCapabilitiesEx(KeyedCollection<string, ConfigParameter> configParameters);
    }

    public interface IMAExtensible2GetParameters
    {
        IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page);
        ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page);
    }

    public interface IMAExtensible2GetParametersEx
    {
        IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber);
        ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber);
    }

    public interface IMAExtensible2Password
    {
        void OpenPasswordConnection(KeyedCollection<string, ConfigParameter> configParameters, Partition partition);
        void ClosePasswordConnection();
        ConnectionSecurityLevel GetConnectionSecurityLevel();
        void SetPassword(CSEntry csentry, SecureString newPassword, PasswordOptions options);
        void ChangePassword(CSEntry csentry, SecureString oldPassword, SecureString newPassword);
    }
}
