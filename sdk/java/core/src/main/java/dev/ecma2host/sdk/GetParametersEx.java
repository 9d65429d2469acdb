package dev.ecma2host.sdk;

import dev.ecma2host.ecma2.v1.ConfigParameterDefinition;
import dev.ecma2host.ecma2.v1.ConfigParameterPage;
import dev.ecma2host.ecma2.v1.ParameterValidationResult;
import java.util.List;

/** ECMA2's IMAExtensible2GetParametersEx. Implement it on your connector class; the SDK announces it in the handshake. */
public interface GetParametersEx extends Ecma2Connector {
    /** GetConfigParametersEx: a page, numbered from 1 for Schema pages; empty ends the pages. */
    List<ConfigParameterDefinition> configParametersEx(
            Context ctx, Params params, ConfigParameterPage page, int pageNumber) throws Exception;

    /** ValidateConfigParametersEx. */
    ParameterValidationResult validateConfigParametersEx(
            Context ctx, Params params, ConfigParameterPage page, int pageNumber) throws Exception;
}
