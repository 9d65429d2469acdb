// Stand-in for Microsoft.MetadirectoryServicesEx: run steps and results (api-reference.md §3, §12).
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;

namespace Microsoft.MetadirectoryServices
{
    [Serializable]
    public class ImportRunStep
    {
        private readonly string customData;
        protected ImportRunStep() { }
        protected ImportRunStep(string customData) { this.customData = customData; }
        public string CustomData { get { return customData; } }
    }

    [Serializable]
    public sealed class OpenImportConnectionRunStep : ImportRunStep
    {
        private readonly int pageSize;
        private readonly OperationType importType;
        private readonly Partition partition;
        private readonly IList<HierarchyNode> inclusionHierarchyNodes;
        private readonly IList<HierarchyNode> exclusionHierarchyNodes;

        public OpenImportConnectionRunStep() { }

        public OpenImportConnectionRunStep(Partition partition, OperationType importType, int pageSize, string customData, IList<HierarchyNode> inclusionHierarchyNodes, IList<HierarchyNode> exclusionHierarchyNodes)
            : base(customData)
        {
            this.partition = partition;
            this.importType = importType;
            this.pageSize = pageSize;
            this.inclusionHierarchyNodes = inclusionHierarchyNodes;
            this.exclusionHierarchyNodes = exclusionHierarchyNodes;
        }

        public int PageSize { get { return pageSize; } }
        public OperationType ImportType { get { return importType; } }
        public Partition StepPartition { get { return partition; } }
        public IList<HierarchyNode> InclusionHierarchyNodes { get { return inclusionHierarchyNodes; } }
        public IList<HierarchyNode> ExclusionHierarchyNodes { get { return exclusionHierarchyNodes; } }
    }

    [Serializable]
    public sealed class GetImportEntriesRunStep : ImportRunStep
    {
        private readonly IList<CSEntryChange> fullObjectEntries;
        public GetImportEntriesRunStep() { }
        public GetImportEntriesRunStep(IList<CSEntryChange> fullObjectEntries, string customData) : base(customData) { this.fullObjectEntries = fullObjectEntries; }
        public IList<CSEntryChange> FullObjectEntries { get { return fullObjectEntries; } }
    }

    [Serializable]
    public sealed class CloseImportConnectionRunStep : ImportRunStep
    {
        private readonly CloseReason reason;
        public CloseImportConnectionRunStep() { }
        public CloseImportConnectionRunStep(CloseReason reason, string customData) : base(customData) { this.reason = reason; }
        public CloseReason Reason { get { return reason; } }
    }

    public abstract class WriteImportFileRunStep : ImportRunStep
    {
        private readonly Partition partition;
        protected WriteImportFileRunStep() { }
        protected WriteImportFileRunStep(Partition partition, string customData) : base(customData) { this.partition = partition; }
        public abstract string FilePath { get; }
        public abstract OperationType ImportType { get; }
        public Partition StepPartition { get { return partition; } }
    }

    [Serializable]
    public class ImportResults
    {
        private string customData;
        public ImportResults() { }
        public ImportResults(string customData) { this.customData = customData; }
        public string CustomData { get { return customData; } set { customData = value; } }
    }

    [Serializable]
    public sealed class OpenImportConnectionResults : ImportResults
    {
        public OpenImportConnectionResults() { }
        public OpenImportConnectionResults(string customData) : base(customData) { }
    }

    [Serializable]
    public sealed class GetImportEntriesResults : ImportResults
    {
        private bool moreToImport;
        private IList<CSEntryChange> csentries;
        public GetImportEntriesResults() { }
        public GetImportEntriesResults(string customData, bool moreToImport, IList<CSEntryChange> csentries) : base(customData)
        {
            this.moreToImport = moreToImport;
            this.csentries = csentries;
        }
        public bool MoreToImport { get { return moreToImport; } set { moreToImport = value; } }
        public IList<CSEntryChange> CSEntries { get { return csentries; } set { csentries = value; } }
    }

    [Serializable]
    public sealed class CloseImportConnectionResults : ImportResults
    {
        public CloseImportConnectionResults() { }
        public CloseImportConnectionResults(string customData) : base(customData) { }
    }

    [Serializable]
    public sealed class WriteImportFileResults : ImportResults
    {
        public WriteImportFileResults() { }
        public WriteImportFileResults(string customData) : base(customData) { }
    }

    [Serializable]
    public class ExportRunStep
    {
        private readonly OperationType exportType;
        protected ExportRunStep() { }
        protected ExportRunStep(OperationType exportType) { this.exportType = exportType; }
        public OperationType ExportType { get { return exportType; } }
    }

    [Serializable]
    public sealed class OpenExportConnectionRunStep : ExportRunStep
    {
        private readonly Partition partition;
        private readonly int batchSize;
        private readonly IList<HierarchyNode> inclusionHierarchyNodes;
        private readonly IList<HierarchyNode> exclusionHierarchyNodes;

        public OpenExportConnectionRunStep() { }

        public OpenExportConnectionRunStep(Partition partition, int batchSize, OperationType exportType, IList<HierarchyNode> inclusionHierarchyNodes, IList<HierarchyNode> exclusionHierarchyNodes)
            : base(exportType)
        {
            this.partition = partition;
            this.batchSize = batchSize;
            this.inclusionHierarchyNodes = inclusionHierarchyNodes;
            this.exclusionHierarchyNodes = exclusionHierarchyNodes;
        }

        public int BatchSize { get { return batchSize; } }
        public Partition StepPartition { get { return partition; } }
        public IList<HierarchyNode> InclusionHierarchyNodes { get { return inclusionHierarchyNodes; } }
        public IList<HierarchyNode> ExclusionHierarchyNodes { get { return exclusionHierarchyNodes; } }
    }

    [Serializable]
    public sealed class CloseExportConnectionRunStep
    {
        private readonly CloseReason reason;
        public CloseExportConnectionRunStep() { }
        public CloseExportConnectionRunStep(CloseReason reason) { this.reason = reason; }
        public CloseReason Reason { get { return reason; } }
    }

    public abstract class ReadExportFileRunStep : ExportRunStep
    {
        private readonly Partition partition;
        protected ReadExportFileRunStep() { }
        protected ReadExportFileRunStep(Partition partition, OperationType exportType) : base(exportType) { this.partition = partition; }
        public abstract string FilePath { get; }
        public Partition StepPartition { get { return partition; } }
    }

    [Serializable]
    public sealed class PutExportEntriesResults
    {
        private readonly KeyedCollection<Guid, CSEntryChangeResult> cSEntryChangeResults = new DetachedObjectModel.CSEntryChangeResultKeyedCollectionDetached();

        public PutExportEntriesResults() { }

        public PutExportEntriesResults(IList<CSEntryChangeResult> csentryChangeResults)
        {
            if (csentryChangeResults != null)
            {
                foreach (CSEntryChangeResult r in csentryChangeResults) cSEntryChangeResults.Add(r);
            }
        }

        public KeyedCollection<Guid, CSEntryChangeResult> CSEntryChangeResults { get { return cSEntryChangeResults; } }
    }
}
