package keel.image.oci.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme such as {@code Bearer}
 * or {@code Basic} and its parameters, e.g. {@code realm}, {@code service}, {@code scope}.
 */
public record Challenge(String scheme, Map<String, String> parameters) {

    /** Parses every challenge in the header values; malformed input yields what could be read. */
    public static List<Challenge> parse(List<String> headers) {
        List<Challenge> challenges = new ArrayList<>();
        for (String header : headers) {
            parse(header, challenges);
        }
        return challenges;
    }

    private static void parse(String header, List<Challenge> out) {
        int[] pos = {0};
        String scheme = null;
        Map<String, String> parameters = new LinkedHashMap<>();
        while (true) {
            skip(header, pos, " \t,");
            if (pos[0] >= header.length()) {
                break;
            }
            int start = pos[0];
            String token = token(header, pos);
            if (token.isEmpty()) {
                break; // unparseable: stop rather than loop
            }
            skip(header, pos, " \t");
            if (scheme != null && pos[0] < header.length() && header.charAt(pos[0]) == '=') {
                pos[0]++;
                skip(header, pos, " \t");
                String value = pos[0] < header.length() && header.charAt(pos[0]) == '"' ? quoted(header, pos)
                        : token(header, pos);
                parameters.put(token.toLowerCase(Locale.ROOT), value);
                continue;
            }
            if (pos[0] == start) {
                break;
            }
            if (scheme != null) {
                out.add(new Challenge(scheme, Map.copyOf(parameters)));
                parameters.clear();
            }
            scheme = token;
        }
        if (scheme != null) {
            out.add(new Challenge(scheme, Map.copyOf(parameters)));
        }
    }

    private static void skip(String s, int[] pos, String chars) {
        while (pos[0] < s.length() && chars.indexOf(s.charAt(pos[0])) >= 0) {
            pos[0]++;
        }
    }

    private static String token(String s, int[] pos) {
        int start = pos[0];
        while (pos[0] < s.length() && " \t,=\"".indexOf(s.charAt(pos[0])) < 0) {
            pos[0]++;
        }
        return s.substring(start, pos[0]);
    }

    private static String quoted(String s, int[] pos) {
        StringBuilder value = new StringBuilder();
        pos[0]++; // opening quote
        while (pos[0] < s.length()) {
            char c = s.charAt(pos[0]++);
            if (c == '\\' && pos[0] < s.length()) {
                value.append(s.charAt(pos[0]++));
            } else if (c == '"') {
                break;
            } else {
                value.append(c);
            }
        }
        return value.toString();
    }

    public boolean is(String name) {
        return scheme.equalsIgnoreCase(name);
    }
}
