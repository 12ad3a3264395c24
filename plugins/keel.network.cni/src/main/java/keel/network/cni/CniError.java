package keel.network.cni;

import com.fasterxml.jackson.databind.JsonNode;

import keel.api.ErrorKind;
import keel.api.KeelException;

/**
 * A plugin's failure as CNI reports it (spec 1.0, "Error"): a code, a message and details on
 * stdout. Codes 1-99 are the spec's, 100 and up the plugin's own.
 */
record CniError(int code, String msg, String details) {

    /** Reads the error object a failed plugin printed; null when its stdout is not one. */
    static CniError parse(JsonNode output) {
        if (output == null || !output.has("code") || !output.get("code").canConvertToInt()) {
            return null;
        }
        return new CniError(output.get("code").asInt(), Json.string(output, "msg"), Json.string(output, "details"));
    }

    /** What the error means for the caller: bad configuration, an unknown container, "try again", or internal. */
    ErrorKind kind() {
        return switch (code) {
            case 1, 2, 4, 6, 7 -> ErrorKind.INVALID_ARGUMENT; // version, field, environment, decoding, network config
            case 3 -> ErrorKind.NOT_FOUND; // container unknown or does not exist
            case 11 -> ErrorKind.UNAVAILABLE; // try again later
            default -> ErrorKind.INTERNAL;
        };
    }

    /** "CNI plugin bridge failed ADD of container c1 on network web: failed to ... (code 7; details ...)". */
    KeelException toException(String plugin, String operation) {
        StringBuilder text = new StringBuilder("CNI plugin ").append(plugin).append(" failed ").append(operation)
                .append(": ").append(msg == null || msg.isBlank() ? "(no message)" : msg).append(" (CNI error code ")
                .append(code);
        if (details != null && !details.isBlank()) {
            text.append("; details: ").append(details);
        }
        return new KeelException(kind(), text.append(')').toString());
    }
}
