package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ConfigParameterDefinition;
import dev.ecma2host.ecma2.v1.ConfigParameterPage;
import dev.ecma2host.ecma2.v1.ParameterValidationResult;
import java.util.List;

/** ECMA2's IMAExtensible2GetParameters. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetParameters extends Ecma2Connector {
    /** GetConfigParameters: the elements of one configuration page, in drawing order. */
    List<ConfigParameterDefinition> configParameters(Context ctx, Params params, ConfigParameterPage page)
            throws Exception;

    /** ValidateConfigParameters: name the parameter at fault in a failure. */
    ParameterValidationResult validateConfigParameters(Context ctx, Params params, ConfigParameterPage page)
            throws Exception;
}
