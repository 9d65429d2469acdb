// Ecma2Bridge, the calls that stand alone: configuration pages and their validation (with the
// bridge's own Connectivity parameters on top), capabilities (the connector's, else ECMA2's
// defaults), schema, partitions, hierarchy, and file-based import and export.
using System.Collections.Generic;
using System.Collections.ObjectModel;
using Ecma2.Bridge.Wire;
using Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public sealed partial class Ecma2Bridge
    {
        public MACapabilities Capabilities
        {
            get
            {
                EnsureBound();
                if (Has(Pb.Ecma2Interface.GetCapabilities))
                {
                    return Ecma2Mapping.FromPb(Call("GetCapabilities", false, o => link.Connectors.GetCapabilities(new Pb.GetCapabilitiesRequest(), o)).Capabilities);
                }
                if (Has(Pb.Ecma2Interface.GetCapabilitiesEx)) return GetCapabilitiesEx(null);
                return new MACapabilities();
            }
        }

        public MACapabilities GetCapabilitiesEx(KeyedCollection<string, ConfigParameter> configParameters)
        {
            Bind(configParameters);
            if (Has(Pb.Ecma2Interface.GetCapabilitiesEx))
            {
                Pb.GetCapabilitiesExRequest request = new Pb.GetCapabilitiesExRequest();
                request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
                return Ecma2Mapping.FromPb(Call("GetCapabilitiesEx", false, o => link.Connectors.GetCapabilitiesEx(request, o)).Capabilities);
            }
            if (Has(Pb.Ecma2Interface.GetCapabilities))
            {
                return Ecma2Mapping.FromPb(Call("GetCapabilities", false, o => link.Connectors.GetCapabilities(new Pb.GetCapabilitiesRequest(), o)).Capabilities);
            }
            return new MACapabilities();
        }

        public IList<ConfigParameterDefinition> GetConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page)
        {
            Bind(configParameters);
            List<ConfigParameterDefinition> list = OwnDefinitions(page);
            if (Has(Pb.Ecma2Interface.GetParameters))
            {
                Pb.GetConfigParametersRequest request = new Pb.GetConfigParametersRequest();
                request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
                request.Page = Ecma2Mapping.ToPb(page);
                foreach (Pb.ConfigParameterDefinition d in Call("GetConfigParameters", false, o => link.Connectors.GetConfigParameters(request, o)).Definitions)
                {
                    list.Add(Ecma2Mapping.FromPb(d));
                }
            }
            return list;
        }

        public ParameterValidationResult ValidateConfigParameters(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page)
        {
            Bind(configParameters);
            ParameterValidationResult own = ValidateOwn(page);
            if (own != null) return own;
            if (!Has(Pb.Ecma2Interface.GetParameters)) return new ParameterValidationResult(ParameterValidationResultCode.Success, null, null);
            Pb.ValidateConfigParametersRequest request = new Pb.ValidateConfigParametersRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Page = Ecma2Mapping.ToPb(page);
            return Ecma2Mapping.FromPb(Call("ValidateConfigParameters", false, o => link.Connectors.ValidateConfigParameters(request, o)).Result);
        }

        public IList<ConfigParameterDefinition> GetConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber)
        {
            Bind(configParameters);
            List<ConfigParameterDefinition> list = pageNumber <= 1 ? OwnDefinitions(page) : new List<ConfigParameterDefinition>();
            if (Has(Pb.Ecma2Interface.GetParametersEx))
            {
                Pb.GetConfigParametersExRequest request = new Pb.GetConfigParametersExRequest();
                request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
                request.Page = Ecma2Mapping.ToPb(page);
                request.PageNumber = pageNumber;
                foreach (Pb.ConfigParameterDefinition d in Call("GetConfigParametersEx", false, o => link.Connectors.GetConfigParametersEx(request, o)).Definitions)
                {
                    list.Add(Ecma2Mapping.FromPb(d));
                }
            }
            return list;
        }

        public ParameterValidationResult ValidateConfigParametersEx(KeyedCollection<string, ConfigParameter> configParameters, ConfigParameterPage page, int pageNumber)
        {
            Bind(configParameters);
            ParameterValidationResult own = pageNumber <= 1 ? ValidateOwn(page) : null;
            if (own != null) return own;
            if (!Has(Pb.Ecma2Interface.GetParametersEx)) return new ParameterValidationResult(ParameterValidationResultCode.Success, null, null);
            Pb.ValidateConfigParametersExRequest request = new Pb.ValidateConfigParametersExRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Page = Ecma2Mapping.ToPb(page);
            request.PageNumber = pageNumber;
            return Ecma2Mapping.FromPb(Call("ValidateConfigParametersEx", false, o => link.Connectors.ValidateConfigParametersEx(request, o)).Result);
        }

        /// <summary>The bridge's own Connectivity parameters, listing the host's connectors.</summary>
        private List<ConfigParameterDefinition> OwnDefinitions(ConfigParameterPage page)
        {
            List<ConfigParameterDefinition> list = new List<ConfigParameterDefinition>();
            if (page == ConfigParameterPage.Connectivity) list.AddRange(BridgeParameters.Definitions(ConnectorNames(), connector));
            return list;
        }

        /// <summary>On the Connectivity page: the named connector must exist in the host.</summary>
        private ParameterValidationResult ValidateOwn(ConfigParameterPage page)
        {
            if (page != ConfigParameterPage.Connectivity) return null;
            List<string> names = ConnectorNames();
            if (names.Contains(connector)) return null;
            return new ParameterValidationResult(
                ParameterValidationResultCode.Failure,
                "ecma2-host at " + link.Address + " has no connector `" + connector + "`; it has: " + string.Join(", ", names.ToArray()),
                BridgeParameters.Connector);
        }

        private List<string> ConnectorNames()
        {
            EnsureBound();
            List<string> names = new List<string>();
            try
            {
                Pb.ListConnectorsResponse response = link.Host.ListConnectors(new Pb.ListConnectorsRequest(), Options(false));
                foreach (Pb.ConnectorStatus s in response.Connectors) names.Add(s.Name);
            }
            catch (GrpcWebException e)
            {
                throw link.Translate(e, connector, "ListConnectors");
            }
            return names;
        }

        public Schema GetSchema(KeyedCollection<string, ConfigParameter> configParameters)
        {
            Bind(configParameters);
            Pb.GetSchemaRequest request = new Pb.GetSchemaRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            Pb.GetSchemaResponse response = Call("GetSchema", false, o => link.Connectors.GetSchema(request, o));
            return response.Schema == null ? Schema.Create() : Ecma2Mapping.FromPb(response.Schema);
        }

        public IList<Partition> GetPartitions(KeyedCollection<string, ConfigParameter> configParameters)
        {
            Bind(configParameters);
            List<Partition> list = new List<Partition>();
            if (!Has(Pb.Ecma2Interface.GetPartitions)) return list;
            Pb.GetPartitionsRequest request = new Pb.GetPartitionsRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            foreach (Pb.Partition p in Call("GetPartitions", false, o => link.Connectors.GetPartitions(request, o)).Partitions) list.Add(Ecma2Mapping.FromPb(p));
            return list;
        }

        public IList<HierarchyNode> GetHierarchy(KeyedCollection<string, ConfigParameter> configParameters, HierarchyNode parent)
        {
            Bind(configParameters);
            List<HierarchyNode> list = new List<HierarchyNode>();
            if (!Has(Pb.Ecma2Interface.GetHierarchy)) return list;
            Pb.GetHierarchyRequest request = new Pb.GetHierarchyRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Parent = Ecma2Mapping.ToPb(parent);
            foreach (Pb.HierarchyNode n in Call("GetHierarchy", false, o => link.Connectors.GetHierarchy(request, o)).Nodes) list.Add(Ecma2Mapping.FromPb(n));
            return list;
        }

        public WriteImportFileResults WriteImportFile(KeyedCollection<string, ConfigParameter> configParameters, Schema types, WriteImportFileRunStep importRunStep)
        {
            Bind(configParameters);
            Pb.WriteImportFileRequest request = new Pb.WriteImportFileRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Types = Ecma2Mapping.ToPb(types);
            Pb.WriteImportFileRunStep step = new Pb.WriteImportFileRunStep();
            step.CustomData = Ecma2Mapping.Text(importRunStep.CustomData);
            step.FilePath = Ecma2Mapping.Text(importRunStep.FilePath);
            step.ImportType = Ecma2Mapping.ToPb(importRunStep.ImportType);
            step.StepPartition = Ecma2Mapping.ToPb(importRunStep.StepPartition);
            request.ImportRunStep = step;
            Pb.WriteImportFileResponse response = Call("WriteImportFile", true, o => link.Connectors.WriteImportFile(request, o));
            return new WriteImportFileResults(response.Results == null ? null : Ecma2Mapping.Nz(response.Results.CustomData));
        }

        public void ReadExportFile(KeyedCollection<string, ConfigParameter> configParameters, Schema types, ReadExportFileRunStep exportRunStep)
        {
            Bind(configParameters);
            Pb.ReadExportFileRequest request = new Pb.ReadExportFileRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Types = Ecma2Mapping.ToPb(types);
            Pb.ReadExportFileRunStep step = new Pb.ReadExportFileRunStep();
            step.ExportType = Ecma2Mapping.ToPb(exportRunStep.ExportType);
            step.FilePath = Ecma2Mapping.Text(exportRunStep.FilePath);
            step.StepPartition = Ecma2Mapping.ToPb(exportRunStep.StepPartition);
            request.ExportRunStep = step;
            Call("ReadExportFile", true, o => link.Connectors.ReadExportFile(request, o));
        }
    }
}
