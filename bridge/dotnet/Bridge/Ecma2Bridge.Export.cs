// Ecma2Bridge, call-based export (IMAExtensible2CallExport): a session per run; each batch is a
// client stream whose first frame names the session, with entries over 1 MiB sent as fragments.
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Threading;
using Ecma2.Bridge.Wire;
using Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public sealed partial class Ecma2Bridge
    {
        private string exportSession;
        private Schema exportSchema;

        /// <summary>The connector's ExportDefaultPageSize, from its handshake.</summary>
        public int ExportDefaultPageSize
        {
            get
            {
                Pb.PageSizes sizes = Handshake().ExportPageSizes;
                return sizes == null ? 0 : sizes.DefaultPageSize;
            }
        }

        /// <summary>The connector's ExportMaxPageSize, from its handshake.</summary>
        public int ExportMaxPageSize
        {
            get
            {
                Pb.PageSizes sizes = Handshake().ExportPageSizes;
                return sizes == null ? 0 : sizes.MaxPageSize;
            }
        }

        public void OpenExportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenExportConnectionRunStep exportRunStep)
        {
            Bind(configParameters);
            Restart();
            exportSchema = types;
            Pb.OpenExportConnectionRequest request = new Pb.OpenExportConnectionRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Types = Ecma2Mapping.ToPb(types);
            Pb.OpenExportConnectionRunStep step = new Pb.OpenExportConnectionRunStep();
            step.ExportType = Ecma2Mapping.ToPb(exportRunStep.ExportType);
            step.BatchSize = exportRunStep.BatchSize;
            step.StepPartition = Ecma2Mapping.ToPb(exportRunStep.StepPartition);
            Ecma2Mapping.AddNodes(step.InclusionHierarchyNodes, exportRunStep.InclusionHierarchyNodes);
            Ecma2Mapping.AddNodes(step.ExclusionHierarchyNodes, exportRunStep.ExclusionHierarchyNodes);
            request.ExportRunStep = step;
            Pb.OpenExportConnectionResponse response = Call("OpenExportConnection", false, o => link.Connectors.OpenExportConnection(request, o));
            exportSession = response.SessionId;
        }

        public PutExportEntriesResults PutExportEntries(IList<CSEntryChange> csentries)
        {
            RequireSession(exportSession, "PutExportEntries", "OpenExportConnection");
            if (csentries == null || csentries.Count == 0) return new PutExportEntriesResults();
            // Map every entry first, so a bad value fails before anything is sent.
            List<Pb.CSEntryChange> entries = new List<Pb.CSEntryChange>(csentries.Count);
            foreach (CSEntryChange c in csentries) entries.Add(Ecma2Mapping.ToPb(c, exportSchema));
            try
            {
                Pb.PutExportEntriesResponse response = link.Connectors.PutExportEntries(Frames(exportSession, entries), Options(true));
                return Ecma2Mapping.FromPb(response.Results);
            }
            catch (GrpcWebException e)
            {
                if (Cancelled) CloseExportQuietly();
                throw link.Translate(e, connector, "PutExportEntries");
            }
            catch (ThreadAbortException)
            {
                Cancel();
                CloseExportQuietly();
                throw;
            }
        }

        /// <summary>The frames of one batch: the session on the first, large entries in fragments.</summary>
        public static IEnumerable<Pb.PutExportEntriesRequest> Frames(string session, IList<Pb.CSEntryChange> entries)
        {
            bool first = true;
            foreach (Pb.CSEntryChange entry in entries)
            {
                if (entry.CalculateSize() <= FragmentSize)
                {
                    Pb.PutExportEntriesRequest frame = new Pb.PutExportEntriesRequest();
                    if (first) frame.SessionId = session;
                    first = false;
                    frame.Entry = entry;
                    yield return frame;
                    continue;
                }
                byte[] encoded = entry.ToByteArray();
                for (int offset = 0; offset < encoded.Length; offset += FragmentSize)
                {
                    int length = System.Math.Min(FragmentSize, encoded.Length - offset);
                    byte[] data = new byte[length];
                    System.Buffer.BlockCopy(encoded, offset, data, 0, length);
                    Pb.EntryFragment fragment = new Pb.EntryFragment();
                    fragment.Data = data;
                    fragment.Last = offset + length == encoded.Length;
                    Pb.PutExportEntriesRequest frame = new Pb.PutExportEntriesRequest();
                    if (first) frame.SessionId = session;
                    first = false;
                    frame.EntryFragment = fragment;
                    yield return frame;
                }
            }
        }

        public void CloseExportConnection(CloseExportConnectionRunStep exportRunStep)
        {
            if (exportSession == null) return;
            Pb.CloseExportConnectionRequest request = new Pb.CloseExportConnectionRequest();
            request.SessionId = exportSession;
            Pb.CloseExportConnectionRunStep step = new Pb.CloseExportConnectionRunStep();
            step.Reason = Ecma2Mapping.ToPb(exportRunStep.Reason);
            request.ExportRunStep = step;
            exportSession = null;
            Call("CloseExportConnection", false, o =>
            {
                o.CancellationToken = CancellationToken.None;
                return link.Connectors.CloseExportConnection(request, o);
            });
        }

        private void CloseExportQuietly()
        {
            string session = exportSession;
            exportSession = null;
            if (session == null) return;
            try
            {
                Pb.CloseExportConnectionRequest request = new Pb.CloseExportConnectionRequest();
                request.SessionId = session;
                Pb.CloseExportConnectionRunStep step = new Pb.CloseExportConnectionRunStep();
                step.Reason = Pb.CloseReason.TerminatedByUser;
                request.ExportRunStep = step;
                link.Connectors.CloseExportConnection(request, link.Options(connector, link.CallTimeout, CancellationToken.None));
            }
            catch (GrpcWebException)
            {
                // Already closed by the host; close is idempotent.
            }
        }
    }
}
