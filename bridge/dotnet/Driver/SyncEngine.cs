// SyncEngine: what the MIM sync engine does with an ECMA2 connector DLL, without MIM. It loads the
// assembly by reflection, finds the connector class by the interfaces it implements, creates it
// with its parameterless constructor (a fresh instance per run, as the engine does) and drives
// config pages, validation, schema, full and delta import with paging and watermarks, export
// batches and password sessions through the IMAExtensible2* interfaces only.
using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Reflection;
using System.Security;
using Microsoft.MetadirectoryServices;

namespace Ecma2.Bridge.Driver
{
    /// <summary>The result of one import run.</summary>
    public sealed class ImportRun
    {
        public readonly List<CSEntryChange> Entries = new List<CSEntryChange>();
        public int Pages;
        public string Watermark;
    }

    /// <summary>Drives an ECMA2 connector DLL the way the sync engine does.</summary>
    public sealed class SyncEngine
    {
        private readonly Type type;

        /// <summary>The configured parameters (every page's values), as the engine keeps them.</summary>
        public readonly ConfigParameterKeyedCollection Parameters = new ConfigParameterKeyedCollection();

        /// <summary>The schema from GetSchema, handed to every run.</summary>
        public Schema Schema { get; private set; }

        /// <summary>The instance of the current run (tests cancel it).</summary>
        public object Current { get; private set; }

        private SyncEngine(Type type)
        {
            this.type = type;
        }

        /// <summary>Loads the DLL and finds its connector class, as MIM does for an Extensions DLL.</summary>
        public static SyncEngine Load(string dll)
        {
            Assembly assembly = Assembly.LoadFrom(dll);
            Type found = assembly.GetExportedTypes().FirstOrDefault(t => t.IsClass && !t.IsAbstract
                && (typeof(IMAExtensible2CallImport).IsAssignableFrom(t) || typeof(IMAExtensible2CallExport).IsAssignableFrom(t)
                    || typeof(IMAExtensible2FileImport).IsAssignableFrom(t) || typeof(IMAExtensible2GetSchema).IsAssignableFrom(t)));
            if (found == null) throw new InvalidOperationException(dll + " has no public class implementing an IMAExtensible2 interface");
            return new SyncEngine(found);
        }

        /// <summary>The ECMA2 interfaces the connector class implements, by name.</summary>
        public IList<string> Interfaces
        {
            get { return type.GetInterfaces().Where(i => i.Name.StartsWith("IMAExtensible2", StringComparison.Ordinal)).Select(i => i.Name).OrderBy(n => n).ToList(); }
        }

        /// <summary>A fresh connector instance, as the engine makes one per run.</summary>
        public T New<T>() where T : class
        {
            object o = Activator.CreateInstance(type);
            Current = o;
            T t = o as T;
            if (t == null) throw new InvalidOperationException(type.FullName + " does not implement " + typeof(T).Name);
            return t;
        }

        /// <summary>Sets a configured value (replacing an earlier one).</summary>
        public void Set(string name, string value)
        {
            if (Parameters.Contains(name)) Parameters.Remove(name);
            Parameters.Add(new ConfigParameter(name, value));
        }

        /// <summary>Sets an encrypted value, as the engine stores an EncryptedString parameter.</summary>
        public void SetSecret(string name, string value)
        {
            if (Parameters.Contains(name)) Parameters.Remove(name);
            SecureString s = new SecureString();
            foreach (char c in value) s.AppendChar(c);
            Parameters.Add(new ConfigParameter(name, s));
        }

        /// <summary>One configuration page: its definitions, with the defaults filled in for values not set yet.</summary>
        public IList<ConfigParameterDefinition> Page(ConfigParameterPage page)
        {
            IList<ConfigParameterDefinition> defs = New<IMAExtensible2GetParameters>().GetConfigParameters(Parameters, page);
            FillDefaults(defs);
            return defs;
        }

        /// <summary>The numbered Schema pages through GetConfigParametersEx, until one comes back empty.</summary>
        public IList<IList<ConfigParameterDefinition>> SchemaPages(int limit)
        {
            List<IList<ConfigParameterDefinition>> pages = new List<IList<ConfigParameterDefinition>>();
            for (int n = 1; n <= limit; n++)
            {
                IList<ConfigParameterDefinition> defs = New<IMAExtensible2GetParametersEx>().GetConfigParametersEx(Parameters, ConfigParameterPage.Schema, n);
                if (defs.Count == 0) break;
                FillDefaults(defs);
                pages.Add(defs);
            }
            return pages;
        }

        private void FillDefaults(IList<ConfigParameterDefinition> defs)
        {
            foreach (ConfigParameterDefinition d in defs)
            {
                if (string.IsNullOrEmpty(d.Name) || Parameters.Contains(d.Name) || d.DefaultValue == null) continue;
                if (d.Type == ConfigParameterType.EncryptedString) SetSecret(d.Name, d.DefaultValue);
                else Parameters.Add(new ConfigParameter(d.Name, d.DefaultValue));
            }
        }

        public ParameterValidationResult Validate(ConfigParameterPage page)
        {
            return New<IMAExtensible2GetParameters>().ValidateConfigParameters(Parameters, page);
        }

        public MACapabilities Capabilities()
        {
            return New<IMAExtensible2GetCapabilitiesEx>().GetCapabilitiesEx(Parameters);
        }

        public Schema LoadSchema()
        {
            Schema = New<IMAExtensible2GetSchema>().GetSchema(Parameters);
            return Schema;
        }

        public IList<Partition> Partitions()
        {
            return New<IMAExtensible2GetPartitions>().GetPartitions(Parameters);
        }

        public IList<HierarchyNode> Hierarchy(HierarchyNode parent)
        {
            return New<IMAExtensible2GetHierarchy>().GetHierarchy(Parameters, parent);
        }

        /// <summary>
        /// One import run: open, pages until MoreToImport is false (each page's watermark handed to
        /// the next), close. The watermark kept is close's, else the last page's, as the engine keeps it.
        /// </summary>
        public ImportRun Import(OperationType importType, int pageSize, string watermark, Partition partition)
        {
            if (Schema == null) LoadSchema();
            IMAExtensible2CallImport c = New<IMAExtensible2CallImport>();
            if (pageSize == 0) pageSize = c.ImportDefaultPageSize;
            ImportRun run = new ImportRun();
            OpenImportConnectionRunStep open = new OpenImportConnectionRunStep(partition, importType, pageSize, watermark, new List<HierarchyNode>(), new List<HierarchyNode>());
            OpenImportConnectionResults opened;
            try
            {
                opened = c.OpenImportConnection(Parameters, Schema, open);
            }
            catch (Exception)
            {
                c.CloseImportConnection(new CloseImportConnectionRunStep(CloseReason.OpenConnectionFailure, watermark));
                throw;
            }
            string custom = opened.CustomData ?? watermark;
            try
            {
                while (true)
                {
                    GetImportEntriesResults page = c.GetImportEntries(new GetImportEntriesRunStep(new List<CSEntryChange>(), custom));
                    run.Pages++;
                    if (page.CSEntries != null)
                    {
                        if (page.CSEntries.Count > pageSize) throw new InvalidOperationException("a page held " + page.CSEntries.Count + " entries, more than the page size " + pageSize);
                        run.Entries.AddRange(page.CSEntries);
                    }
                    if (page.CustomData != null) custom = page.CustomData;
                    if (!page.MoreToImport) break;
                }
            }
            catch (Exception)
            {
                try
                {
                    c.CloseImportConnection(new CloseImportConnectionRunStep(CloseReason.TerminatedByUser, custom));
                }
                catch (Exception)
                {
                    // The run already failed; its first error is what the engine reports.
                }
                throw;
            }
            CloseImportConnectionResults closed = c.CloseImportConnection(new CloseImportConnectionRunStep(CloseReason.Normal, custom));
            run.Watermark = closed.CustomData ?? custom;
            return run;
        }

        /// <summary>One export run: open, the changes in batches of the batch size, close.</summary>
        public List<CSEntryChangeResult> Export(IList<CSEntryChange> changes, int batchSize, OperationType exportType, Partition partition)
        {
            if (Schema == null) LoadSchema();
            IMAExtensible2CallExport c = New<IMAExtensible2CallExport>();
            if (batchSize == 0) batchSize = c.ExportDefaultPageSize;
            c.OpenExportConnection(Parameters, Schema, new OpenExportConnectionRunStep(partition, batchSize, exportType, new List<HierarchyNode>(), new List<HierarchyNode>()));
            List<CSEntryChangeResult> results = new List<CSEntryChangeResult>();
            CloseReason reason = CloseReason.TerminatedByUser;
            try
            {
                for (int i = 0; i < changes.Count; i += batchSize)
                {
                    List<CSEntryChange> batch = changes.Skip(i).Take(batchSize).ToList();
                    results.AddRange(c.PutExportEntries(batch).CSEntryChangeResults);
                }
                reason = CloseReason.Normal;
            }
            finally
            {
                c.CloseExportConnection(new CloseExportConnectionRunStep(reason));
            }
            return results;
        }

        /// <summary>A password session: open with the partition, one SetPassword per object, close.</summary>
        public IMAExtensible2Password OpenPasswords(Partition partition)
        {
            IMAExtensible2Password c = New<IMAExtensible2Password>();
            c.OpenPasswordConnection(Parameters, partition);
            return c;
        }

        public static SecureString Secure(string text)
        {
            SecureString s = new SecureString();
            foreach (char ch in text) s.AppendChar(ch);
            s.MakeReadOnly();
            return s;
        }
    }
}
