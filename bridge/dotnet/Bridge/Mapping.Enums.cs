// Ecma2Mapping, enums: each ECMA2 enum to its ecma2.v1 counterpart and back, following the three
// numbering rules of docs/protocol.md ("Enum numbering"): ECMA2 value + 1 for enums that start at
// zero, equal values for MAExportType, and repeated flags for the [Flags] enums. A wire value the
// bridge does not know reads as UNSPECIFIED, and UNSPECIFIED reads as the documented default.
using System.Collections.Generic;
using Mms = Microsoft.MetadirectoryServices;
using Pb = Ecma2.V1;

namespace Ecma2.Bridge
{
    public static partial class Ecma2Mapping
    {
        private static int Shifted(int wire, int count, int unspecified)
        {
            return wire >= 1 && wire <= count ? wire - 1 : unspecified;
        }

        public static Pb.AttributeType ToPb(Mms.AttributeType v) { return (Pb.AttributeType)((int)v + 1); }
        public static Mms.AttributeType FromPb(Pb.AttributeType v) { return (Mms.AttributeType)Shifted((int)v, 6, (int)Mms.AttributeType.Undefined); }

        public static Pb.AttributeOperation ToPb(Mms.AttributeOperation v) { return (Pb.AttributeOperation)((int)v + 1); }
        public static Mms.AttributeOperation FromPb(Pb.AttributeOperation v) { return (Mms.AttributeOperation)Shifted((int)v, 3, (int)Mms.AttributeOperation.ImportExport); }

        public static Pb.ObjectModificationType ToPb(Mms.ObjectModificationType v) { return (Pb.ObjectModificationType)((int)v + 1); }
        public static Mms.ObjectModificationType FromPb(Pb.ObjectModificationType v) { return (Mms.ObjectModificationType)Shifted((int)v, 6, (int)Mms.ObjectModificationType.Unconfigured); }

        public static Pb.AttributeModificationType ToPb(Mms.AttributeModificationType v) { return (Pb.AttributeModificationType)((int)v + 1); }
        public static Mms.AttributeModificationType FromPb(Pb.AttributeModificationType v) { return (Mms.AttributeModificationType)Shifted((int)v, 5, (int)Mms.AttributeModificationType.Unconfigured); }

        public static Pb.ValueModificationType ToPb(Mms.ValueModificationType v) { return (Pb.ValueModificationType)((int)v + 1); }
        public static Mms.ValueModificationType FromPb(Pb.ValueModificationType v) { return (Mms.ValueModificationType)Shifted((int)v, 3, (int)Mms.ValueModificationType.Unconfigured); }

        public static Pb.ModificationType ToPb(Mms.ModificationType v) { return (Pb.ModificationType)((int)v + 1); }
        public static Mms.ModificationType FromPb(Pb.ModificationType v) { return (Mms.ModificationType)Shifted((int)v, 3, (int)Mms.ModificationType.Add); }

        public static Pb.OperationType ToPb(Mms.OperationType v) { return (Pb.OperationType)((int)v + 1); }
        public static Mms.OperationType FromPb(Pb.OperationType v) { return (Mms.OperationType)Shifted((int)v, 3, (int)Mms.OperationType.Full); }

        public static Pb.CloseReason ToPb(Mms.CloseReason v) { return (Pb.CloseReason)((int)v + 1); }
        public static Mms.CloseReason FromPb(Pb.CloseReason v) { return (Mms.CloseReason)Shifted((int)v, 5, (int)Mms.CloseReason.Unknown); }

        public static Pb.ConfigParameterType ToPb(Mms.ConfigParameterType v) { return (Pb.ConfigParameterType)((int)v + 1); }
        public static Mms.ConfigParameterType FromPb(Pb.ConfigParameterType v) { return (Mms.ConfigParameterType)Shifted((int)v, 8, (int)Mms.ConfigParameterType.String); }

        public static Pb.ConfigParameterPage ToPb(Mms.ConfigParameterPage v) { return (Pb.ConfigParameterPage)((int)v + 1); }
        public static Mms.ConfigParameterPage FromPb(Pb.ConfigParameterPage v) { return (Mms.ConfigParameterPage)Shifted((int)v, 6, (int)Mms.ConfigParameterPage.Connectivity); }

        public static Pb.ParameterValidationResultCode ToPb(Mms.ParameterValidationResultCode v) { return (Pb.ParameterValidationResultCode)((int)v + 1); }

        // UNSPECIFIED reads as Failure, so a missing code never passes validation.
        public static Mms.ParameterValidationResultCode FromPb(Pb.ParameterValidationResultCode v) { return (Mms.ParameterValidationResultCode)Shifted((int)v, 2, (int)Mms.ParameterValidationResultCode.Failure); }

        public static Pb.MADistinguishedNameStyle ToPb(Mms.MADistinguishedNameStyle v) { return (Pb.MADistinguishedNameStyle)((int)v + 1); }
        public static Mms.MADistinguishedNameStyle FromPb(Pb.MADistinguishedNameStyle v) { return (Mms.MADistinguishedNameStyle)Shifted((int)v, 3, (int)Mms.MADistinguishedNameStyle.Generic); }

        // MAExportType has no zero member and no 4: the numbers are the same on both sides.
        public static Pb.MAExportType ToPb(Mms.MAExportType v) { return (Pb.MAExportType)(int)v; }

        public static Mms.MAExportType FromPb(Pb.MAExportType v)
        {
            int n = (int)v;
            return n == 1 || n == 2 || n == 3 || n == 5 ? (Mms.MAExportType)n : Mms.MAExportType.ObjectReplace;
        }

        // MAObjectConfirmation is 0, 1, 3 in ECMA2 and 1, 2, 4 on the wire.
        public static Pb.MAObjectConfirmation ToPb(Mms.MAObjectConfirmation v) { return (Pb.MAObjectConfirmation)((int)v + 1); }

        public static Mms.MAObjectConfirmation FromPb(Pb.MAObjectConfirmation v)
        {
            int n = (int)v;
            return n == 1 || n == 2 || n == 4 ? (Mms.MAObjectConfirmation)(n - 1) : Mms.MAObjectConfirmation.Normal;
        }

        public static Pb.ConnectionSecurityLevel ToPb(Mms.ConnectionSecurityLevel v) { return (Pb.ConnectionSecurityLevel)((int)v + 1); }

        // UNSPECIFIED reads as NotSecure, so a missing answer never unlocks password traffic.
        public static Mms.ConnectionSecurityLevel FromPb(Pb.ConnectionSecurityLevel v) { return (Mms.ConnectionSecurityLevel)Shifted((int)v, 2, (int)Mms.ConnectionSecurityLevel.NotSecure); }

        public static Pb.ConnectionState ToPb(Mms.ConnectionState v) { return (Pb.ConnectionState)((int)v + 1); }
        public static Mms.ConnectionState FromPb(Pb.ConnectionState v) { return (Mms.ConnectionState)Shifted((int)v, 6, (int)Mms.ConnectionState.Connected); }

        public static Pb.RuleType ToPb(Mms.RuleType v) { return (Pb.RuleType)((int)v + 1); }
        public static Mms.RuleType FromPb(Pb.RuleType v) { return (Mms.RuleType)Shifted((int)v, 10, (int)Mms.RuleType.Unknown); }

        public static Pb.MAImportError ToPb(Mms.MAImportError v) { return (Pb.MAImportError)((int)v + 1); }
        public static Mms.MAImportError FromPb(Pb.MAImportError v) { return (Mms.MAImportError)Shifted((int)v, 17, (int)Mms.MAImportError.Success); }

        public static Pb.MAExportError ToPb(Mms.MAExportError v) { return (Pb.MAExportError)((int)v + 1); }
        public static Mms.MAExportError FromPb(Pb.MAExportError v) { return (Mms.MAExportError)Shifted((int)v, 27, (int)Mms.MAExportError.Success); }

        // MAExportType-style equal numbers; ECMA2 has no zero member.
        public static Pb.DeprovisionAction ToPb(Mms.DeprovisionAction v) { return (Pb.DeprovisionAction)(int)v; }

        public static Mms.DeprovisionAction FromPb(Pb.DeprovisionAction v)
        {
            int n = (int)v;
            return n >= 1 && n <= 3 ? (Mms.DeprovisionAction)n : Mms.DeprovisionAction.Disconnect;
        }

        /// <summary>The [Flags] MANormalizations as the list of flags that are on (None is empty).</summary>
        public static List<Pb.MANormalization> ToPb(Mms.MANormalizations v)
        {
            List<Pb.MANormalization> flags = new List<Pb.MANormalization>();
            if ((v & Mms.MANormalizations.Uppercase) != 0) flags.Add(Pb.MANormalization.Uppercase);
            if ((v & Mms.MANormalizations.RemoveAccents) != 0) flags.Add(Pb.MANormalization.RemoveAccents);
            return flags;
        }

        public static Mms.MANormalizations FromPb(IEnumerable<Pb.MANormalization> flags)
        {
            Mms.MANormalizations v = Mms.MANormalizations.None;
            foreach (Pb.MANormalization f in flags)
            {
                if (f == Pb.MANormalization.Uppercase) v |= Mms.MANormalizations.Uppercase;
                else if (f == Pb.MANormalization.RemoveAccents) v |= Mms.MANormalizations.RemoveAccents;
            }
            return v;
        }

        /// <summary>The [Flags] PasswordOptions as the list of flags that are on (None is empty).</summary>
        public static List<Pb.PasswordOption> ToPb(Mms.PasswordOptions v)
        {
            List<Pb.PasswordOption> flags = new List<Pb.PasswordOption>();
            if ((v & Mms.PasswordOptions.ForceChangeAtLogOn) != 0) flags.Add(Pb.PasswordOption.ForceChangeAtLogOn);
            if ((v & Mms.PasswordOptions.UnlockAccount) != 0) flags.Add(Pb.PasswordOption.UnlockAccount);
            if ((v & Mms.PasswordOptions.ValidatePassword) != 0) flags.Add(Pb.PasswordOption.ValidatePassword);
            return flags;
        }

        public static Mms.PasswordOptions FromPb(IEnumerable<Pb.PasswordOption> flags)
        {
            Mms.PasswordOptions v = Mms.PasswordOptions.None;
            foreach (Pb.PasswordOption f in flags)
            {
                if (f == Pb.PasswordOption.ForceChangeAtLogOn) v |= Mms.PasswordOptions.ForceChangeAtLogOn;
                else if (f == Pb.PasswordOption.UnlockAccount) v |= Mms.PasswordOptions.UnlockAccount;
                else if (f == Pb.PasswordOption.ValidatePassword) v |= Mms.PasswordOptions.ValidatePassword;
            }
            return v;
        }

        /// <summary>The [Flags] AttribFlags as the list of flags that are on (None is empty).</summary>
        public static List<Pb.AttribFlag> ToPb(Mms.AttribFlags v)
        {
            List<Pb.AttribFlag> flags = new List<Pb.AttribFlag>();
            if ((v & Mms.AttribFlags.MultiValued) != 0) flags.Add(Pb.AttribFlag.MultiValued);
            if ((v & Mms.AttribFlags.Encrypted) != 0) flags.Add(Pb.AttribFlag.Encrypted);
            if ((v & Mms.AttribFlags.ExportOnly) != 0) flags.Add(Pb.AttribFlag.ExportOnly);
            return flags;
        }

        public static Mms.AttribFlags FromPb(IEnumerable<Pb.AttribFlag> flags)
        {
            Mms.AttribFlags v = Mms.AttribFlags.None;
            foreach (Pb.AttribFlag f in flags)
            {
                if (f == Pb.AttribFlag.MultiValued) v |= Mms.AttribFlags.MultiValued;
                else if (f == Pb.AttribFlag.Encrypted) v |= Mms.AttribFlags.Encrypted;
                else if (f == Pb.AttribFlag.ExportOnly) v |= Mms.AttribFlags.ExportOnly;
            }
            return v;
        }
    }
}
