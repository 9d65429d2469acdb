// Every ECMA2 enum against its ecma2.v1 counterpart: each member maps to the wire member of the
// same name (the numbering rule of docs/protocol.md per enum) and back; UNSPECIFIED and unknown
// numbers read as the documented default; [Flags] enums cross as lists of flags.
using System;
using System.Collections.Generic;
using System.Linq;
using Ecma2.Bridge;
using NUnit.Framework;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge.Tests.Ecma
{
    [TestFixture]
    public class EnumMappingTests
    {
        private static void Pairs<TM, TP>(Func<TM, TP> to, Func<TP, TM> from, TM whenUnspecified, int wireOffset)
            where TM : struct
            where TP : struct
        {
            foreach (TM m in Enum.GetValues(typeof(TM)).Cast<TM>())
            {
                TP p = to(m);
                Assert.AreEqual(m.ToString().ToLowerInvariant(), p.ToString().ToLowerInvariant(), typeof(TM).Name + "." + m + " went to " + p);
                if (wireOffset >= 0) Assert.AreEqual(Convert.ToInt32(m) + wireOffset, Convert.ToInt32(p), typeof(TM).Name + "." + m + " wire number");
                Assert.AreEqual(m, from(p), typeof(TM).Name + "." + m + " round trip");
            }
            Assert.AreEqual(whenUnspecified, from(default(TP)), typeof(TM).Name + ": UNSPECIFIED");
            Assert.AreEqual(whenUnspecified, from((TP)Enum.ToObject(typeof(TP), 99)), typeof(TM).Name + ": an unknown number");
            Assert.AreEqual(Enum.GetValues(typeof(TM)).Length + 1, Enum.GetValues(typeof(TP)).Length, typeof(TM).Name + ": every wire member but UNSPECIFIED has an ECMA2 member");
        }

        [Test] public void AttributeType() { Pairs<Mms.AttributeType, Pb.AttributeType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.AttributeType.Undefined, 1); }
        [Test] public void AttributeOperation() { Pairs<Mms.AttributeOperation, Pb.AttributeOperation>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.AttributeOperation.ImportExport, 1); }
        [Test] public void ObjectModificationType() { Pairs<Mms.ObjectModificationType, Pb.ObjectModificationType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ObjectModificationType.Unconfigured, 1); }
        [Test] public void AttributeModificationType() { Pairs<Mms.AttributeModificationType, Pb.AttributeModificationType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.AttributeModificationType.Unconfigured, 1); }
        [Test] public void ValueModificationType() { Pairs<Mms.ValueModificationType, Pb.ValueModificationType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ValueModificationType.Unconfigured, 1); }
        [Test] public void ModificationType() { Pairs<Mms.ModificationType, Pb.ModificationType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ModificationType.Add, 1); }
        [Test] public void OperationType() { Pairs<Mms.OperationType, Pb.OperationType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.OperationType.Full, 1); }
        [Test] public void CloseReason() { Pairs<Mms.CloseReason, Pb.CloseReason>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.CloseReason.Unknown, 1); }
        [Test] public void ConfigParameterType() { Pairs<Mms.ConfigParameterType, Pb.ConfigParameterType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ConfigParameterType.String, 1); }
        [Test] public void ConfigParameterPage() { Pairs<Mms.ConfigParameterPage, Pb.ConfigParameterPage>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ConfigParameterPage.Connectivity, 1); }
        [Test] public void ParameterValidationResultCode() { Pairs<Mms.ParameterValidationResultCode, Pb.ParameterValidationResultCode>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ParameterValidationResultCode.Failure, 1); }
        [Test] public void MADistinguishedNameStyle() { Pairs<Mms.MADistinguishedNameStyle, Pb.MADistinguishedNameStyle>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.MADistinguishedNameStyle.Generic, 1); }
        [Test] public void MAExportType() { Pairs<Mms.MAExportType, Pb.MAExportType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.MAExportType.ObjectReplace, 0); }
        [Test] public void MAObjectConfirmation() { Pairs<Mms.MAObjectConfirmation, Pb.MAObjectConfirmation>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.MAObjectConfirmation.Normal, 1); }
        [Test] public void ConnectionSecurityLevel() { Pairs<Mms.ConnectionSecurityLevel, Pb.ConnectionSecurityLevel>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ConnectionSecurityLevel.NotSecure, 1); }
        [Test] public void ConnectionState() { Pairs<Mms.ConnectionState, Pb.ConnectionState>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.ConnectionState.Connected, 1); }
        [Test] public void RuleType() { Pairs<Mms.RuleType, Pb.RuleType>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.RuleType.Unknown, 1); }
        [Test] public void MAImportError() { Pairs<Mms.MAImportError, Pb.MAImportError>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.MAImportError.Success, 1); }
        [Test] public void MAExportError() { Pairs<Mms.MAExportError, Pb.MAExportError>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.MAExportError.Success, 1); }
        [Test] public void DeprovisionAction() { Pairs<Mms.DeprovisionAction, Pb.DeprovisionAction>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb, Mms.DeprovisionAction.Disconnect, 0); }

        private static void Flags<TM, TP>(Func<TM, List<TP>> to, Func<IEnumerable<TP>, TM> from)
            where TM : struct
        {
            int all = Enum.GetValues(typeof(TM)).Cast<object>().Aggregate(0, (acc, v) => acc | Convert.ToInt32(v));
            for (int bits = 0; bits <= all; bits++)
            {
                if ((bits & ~all) != 0) continue;
                TM m = (TM)Enum.ToObject(typeof(TM), bits);
                List<TP> flags = to(m);
                Assert.AreEqual(bits, flags.Aggregate(0, (acc, f) => acc | Convert.ToInt32(f)), typeof(TM).Name + " " + m + ": wire flags equal the ECMA2 bits");
                Assert.AreEqual(m, from(flags), typeof(TM).Name + " " + m + " round trip");
            }
            Assert.AreEqual(0, to(default(TM)).Count, "None is an empty list");
        }

        [Test] public void MANormalizations() { Flags<Mms.MANormalizations, Pb.MANormalization>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb); }
        [Test] public void PasswordOptions() { Flags<Mms.PasswordOptions, Pb.PasswordOption>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb); }
        [Test] public void AttribFlags() { Flags<Mms.AttribFlags, Pb.AttribFlag>(Ecma2Mapping.ToPb, Ecma2Mapping.FromPb); }
    }
}
