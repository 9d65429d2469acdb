// Ecma2Bridge, call-based import (IMAExtensible2CallImport): a session per run; each page is a
// stream of entries (whole, or fragments reassembled here) closed by one results frame.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Threading;
using Ecma2.Bridge.Wire;
using Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public sealed partial class Ecma2Bridge
    {
        private string importSession;
        private Schema importSchema;

        /// <summary>The connector's ImportDefaultPageSize, from its handshake.</summary>
        public int ImportDefaultPageSize
        {
            get
            {
                Pb.PageSizes sizes = Handshake().ImportPageSizes;
                return sizes == null ? 0 : sizes.DefaultPageSize;
            }
        }

        /// <summary>The connector's ImportMaxPageSize, from its handshake.</summary>
        public int ImportMaxPageSize
        {
            get
            {
                Pb.PageSizes sizes = Handshake().ImportPageSizes;
                return sizes == null ? 0 : sizes.MaxPageSize;
            }
        }

        public OpenImportConnectionResults OpenImportConnection(KeyedCollection<string, ConfigParameter> configParameters, Schema types, OpenImportConnectionRunStep importRunStep)
        {
            Bind(configParameters);
            Restart();
            importSchema = types;
            Pb.OpenImportConnectionRequest request = new Pb.OpenImportConnectionRequest();
            request.ConfigParameters.AddRange(Ecma2Mapping.ToPb(configParameters));
            request.Types = Ecma2Mapping.ToPb(types);
            Pb.OpenImportConnectionRunStep step = new Pb.OpenImportConnectionRunStep();
            step.CustomData = Ecma2Mapping.Text(importRunStep.CustomData);
            step.PageSize = importRunStep.PageSize;
            step.ImportType = Ecma2Mapping.ToPb(importRunStep.ImportType);
            step.StepPartition = Ecma2Mapping.ToPb(importRunStep.StepPartition);
            Ecma2Mapping.AddNodes(step.InclusionHierarchyNodes, importRunStep.InclusionHierarchyNodes);
            Ecma2Mapping.AddNodes(step.ExclusionHierarchyNodes, importRunStep.ExclusionHierarchyNodes);
            request.ImportRunStep = step;
            Pb.OpenImportConnectionResponse response = Call("OpenImportConnection", false, o => link.Connectors.OpenImportConnection(request, o));
            importSession = response.SessionId;
            string custom = response.Results == null ? null : Ecma2Mapping.Nz(response.Results.CustomData);
            return new OpenImportConnectionResults(custom);
        }

        public GetImportEntriesResults GetImportEntries(GetImportEntriesRunStep importRunStep)
        {
            RequireSession(importSession, "GetImportEntries", "OpenImportConnection");
            Pb.GetImportEntriesRequest request = new Pb.GetImportEntriesRequest();
            request.SessionId = importSession;
            Pb.GetImportEntriesRunStep step = new Pb.GetImportEntriesRunStep();
            step.CustomData = Ecma2Mapping.Text(importRunStep == null ? null : importRunStep.CustomData);
            if (importRunStep != null && importRunStep.FullObjectEntries != null)
            {
                foreach (CSEntryChange c in importRunStep.FullObjectEntries) step.FullObjectEntries.Add(Ecma2Mapping.ToPb(c, importSchema));
            }
            request.ImportRunStep = step;
            List<CSEntryChange> entries = new List<CSEntryChange>();
            Pb.GetImportEntriesResults results = null;
            try
            {
                MemoryStream pending = null;
                foreach (Pb.GetImportEntriesResponse frame in link.Connectors.GetImportEntries(request, Options(true)))
                {
                    switch (frame.FrameCase)
                    {
                        case Pb.GetImportEntriesResponse.FrameOneofCase.Entry:
                            if (pending != null) throw Unfinished(pending);
                            entries.Add(Ecma2Mapping.FromPb(frame.Entry));
                            break;
                        case Pb.GetImportEntriesResponse.FrameOneofCase.EntryFragment:
                            if (pending == null) pending = new MemoryStream();
                            byte[] data = frame.EntryFragment.Data;
                            pending.Write(data, 0, data.Length);
                            if (frame.EntryFragment.Last)
                            {
                                entries.Add(Ecma2Mapping.FromPb(Pb.CSEntryChange.ParseFrom(pending.ToArray())));
                                pending = null;
                            }
                            break;
                        case Pb.GetImportEntriesResponse.FrameOneofCase.Results:
                            if (pending != null) throw Unfinished(pending);
                            results = frame.Results;
                            break;
                    }
                }
            }
            catch (GrpcWebException e)
            {
                if (Cancelled) CloseImportQuietly();
                throw link.Translate(e, connector, "GetImportEntries");
            }
            catch (ThreadAbortException)
            {
                // The engine stopped the run by aborting this thread; the abort carries on after this block.
                Cancel();
                CloseImportQuietly();
                throw;
            }
            if (results == null)
            {
                throw new DroppedConnectionException("ecma2-host bridge: the page from connector `" + connector + "` ended without its results frame after " + entries.Count + " entries");
            }
            return new GetImportEntriesResults(Ecma2Mapping.Nz(results.CustomData), results.MoreToImport, entries);
        }

        public CloseImportConnectionResults CloseImportConnection(CloseImportConnectionRunStep importRunStep)
        {
            if (importSession == null) return new CloseImportConnectionResults();
            Pb.CloseImportConnectionRequest request = new Pb.CloseImportConnectionRequest();
            request.SessionId = importSession;
            Pb.CloseImportConnectionRunStep step = new Pb.CloseImportConnectionRunStep();
            step.CustomData = Ecma2Mapping.Text(importRunStep.CustomData);
            step.Reason = Ecma2Mapping.ToPb(importRunStep.Reason);
            request.ImportRunStep = step;
            importSession = null;
            Pb.CloseImportConnectionResponse response = Call("CloseImportConnection", false, o =>
            {
                o.CancellationToken = CancellationToken.None;
                return link.Connectors.CloseImportConnection(request, o);
            });
            return new CloseImportConnectionResults(response.Results == null ? null : Ecma2Mapping.Nz(response.Results.CustomData));
        }

        private void CloseImportQuietly()
        {
            string session = importSession;
            importSession = null;
            if (session == null) return;
            try
            {
                Pb.CloseImportConnectionRequest request = new Pb.CloseImportConnectionRequest();
                request.SessionId = session;
                Pb.CloseImportConnectionRunStep step = new Pb.CloseImportConnectionRunStep();
                step.Reason = Pb.CloseReason.TerminatedByUser;
                request.ImportRunStep = step;
                link.Connectors.CloseImportConnection(request, link.Options(connector, link.CallTimeout, CancellationToken.None));
            }
            catch (GrpcWebException)
            {
                // The host has closed it already (a cancelled call ends its session); close is idempotent.
            }
        }

        private static void RequireSession(string session, string call, string open)
        {
            if (session == null)
            {
                throw new ExtensibleExtensionException("ecma2-host bridge: " + call + " was called without an open session; call " + open + " first");
            }
        }

        private Exception Unfinished(MemoryStream pending)
        {
            return new DroppedConnectionException("ecma2-host bridge: connector `" + connector + "` sent another frame before the last fragment of an entry (" + pending.Length + " bytes pending)");
        }
    }
}
